using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>The Upstash store on a hybrid index with hosted dense and sparse models: text in, text out, as on a dense
/// index; the index fuses its two rankings (RRF) itself.</summary>
public sealed class UpstashHybridIndexTests
{
    [Fact]
    public async Task Text_upserts_and_text_queries_work_on_a_hybrid_index_and_return_fused_rankings()
    {
        await using var emulator = await EmulatorHost.StartAsync(
            new EmulatorOptions { IndexType = EmulatedIndexType.Hybrid, Dimension = 64, EmbeddingModel = "builtin", SparseEmbeddingModel = "BM25" },
            new WordHashEmbeddingGenerator(64));
        await using var handle = UpstashTestHost.CreateStore(emulator);
        var store = handle.Store;

        await store.UpsertAsync(new UpsertRequest(
        [
            new VectorRecord("pho") { Text = "Pho is a Vietnamese noodle soup with beef and herbs." },
            new VectorRecord("mochi") { Text = "Mochi is a chewy sweet cake of pounded rice." },
            new VectorRecord("kimchi") { Text = "Kimchi is spicy fermented cabbage." },
        ]));
        var matches = await store.QueryAsync(new VectorQuery { Text = "beef noodle soup", TopK = 3 });

        Assert.Equal("pho", matches[0].Id);
        Assert.Equal("Pho is a Vietnamese noodle soup with beef and herbs.", matches[0].Text);
        // Found by both rankings at rank 0: RRF gives 1/60 + 1/60 (the scale of a hybrid index is the fused one).
        Assert.Equal((1.0 / 60) + (1.0 / 60), matches[0].Score, 4);
    }
}
