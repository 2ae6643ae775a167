using RagFood.Providers.Tests.Support;
using RagFood.UpstashEmulator;
using static RagFood.Providers.Tests.Upstash.UpstashTestHost;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>Index configurations the emulator offers: similarity functions, sparse and hybrid indexes, hosted models,
/// and snapshots that survive a restart.</summary>
public sealed class UpstashEmulatorIndexTests
{
    [Theory]
    [InlineData(EmulatedSimilarity.Cosine, 0.5)]       // orthogonal: (1 + 0) / 2
    [InlineData(EmulatedSimilarity.Euclidean, 1.0 / 3)] // 1 / (1 + squared distance 2)
    [InlineData(EmulatedSimilarity.DotProduct, 0.5)]   // (1 + 0) / 2
    public async Task Dense_scores_follow_upstashs_formulas_and_identical_vectors_score_exactly_one(EmulatedSimilarity similarity, double orthogonal)
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 2, Similarity = similarity });
        using var client = RawClient(emulator);
        await ResultAsync(client, "upsert", """[{"id":"same","vector":[1,0]},{"id":"other","vector":[0,1]}]""");

        var scores = await ResultAsync(client, "query", """{"vector":[1,0],"topK":2}""");

        Assert.Equal("1", scores[0].GetProperty("score").GetRawText());
        Assert.Equal(orthogonal, scores[1].GetProperty("score").GetDouble(), 6);
    }

    [Fact]
    public async Task Identical_high_dimensional_cosine_vectors_score_exactly_one()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 384 });
        using var client = RawClient(emulator);
        var random = new Random(7);
        var vector = "[" + string.Join(",", Enumerable.Range(0, 384).Select(_ => random.Next(-50, 50))) + "]";
        await ResultAsync(client, "upsert", $$"""{"id":"v","vector":{{vector}}}""");

        var scores = await ResultAsync(client, "query", $$"""{"vector":{{vector}},"topK":1}""");

        Assert.Equal(1.0, scores[0].GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task A_sparse_index_returns_only_overlapping_vectors_scored_by_inner_product_or_idf()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { IndexType = EmulatedIndexType.Sparse });
        using var client = RawClient(emulator);
        await ResultAsync(client, "upsert", """[ {"id":"a","sparseVector":{"indices":[1,2],"values":[0.5,1]}}, {"id":"b","sparseVector":{"indices":[2,5,2],"values":[0.25,1,0.25]}}, {"id":"c","sparseVector":{"indices":[9],"values":[1]}}]""");

        var plain = await ResultAsync(client, "query", """{"sparseVector":{"indices":[2],"values":[2]},"topK":10,"includeVectors":true}""");
        var idf = await ResultAsync(client, "query", """{"sparseVector":{"indices":[1],"values":[1]},"topK":10,"weightingStrategy":"IDF"}""");

        Assert.Equal(["a", "b"], plain.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(2.0, plain[0].GetProperty("score").GetDouble(), 5);
        Assert.Equal(1.0, plain[1].GetProperty("score").GetDouble(), 5);
        Assert.Equal("""{"indices":[2,5],"values":[0.5,1]}""", plain[1].GetProperty("sparseVector").GetRawText());
        Assert.False(plain[0].TryGetProperty("vector", out _));
        // N = 3 sparse vectors, n = 1 has index 1: idf = ln((3 - 1 + 0.5) / (1 + 0.5) + 1); score = 0.5 * idf.
        Assert.Equal(0.5 * Math.Log((2.5 / 1.5) + 1), idf[0].GetProperty("score").GetDouble(), 5);
    }

    [Fact]
    public async Task A_hybrid_query_fuses_both_rankings_and_prefers_what_both_find()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { IndexType = EmulatedIndexType.Hybrid, Dimension = 2 });
        using var client = RawClient(emulator);
        await ResultAsync(client, "upsert", """[ {"id":"dense-best","vector":[1,0],"sparseVector":{"indices":[7],"values":[1]}}, {"id":"both-good","vector":[0.9,0.1],"sparseVector":{"indices":[1],"values":[1]}}, {"id":"sparse-only","vector":[0,1],"sparseVector":{"indices":[1],"values":[0.5]}}]""");

        var fused = await ResultAsync(client, "query", """{"vector":[1,0],"sparseVector":{"indices":[1],"values":[1]},"topK":1}""");
        var denseOnly = await ResultAsync(client, "query", """{"vector":[1,0],"topK":1,"includeVectors":true}""");
        var dbsf = await ResultAsync(client, "query", """{"vector":[1,0],"sparseVector":{"indices":[1],"values":[1]},"topK":3,"fusionAlgorithm":"DBSF"}""");

        Assert.Equal("both-good", fused[0].GetProperty("id").GetString());
        Assert.Equal(1.0 / 60 + 1.0 / 61, fused[0].GetProperty("score").GetDouble(), 5);
        Assert.Equal("dense-best", denseOnly[0].GetProperty("id").GetString());
        Assert.True(denseOnly[0].TryGetProperty("sparseVector", out _));
        Assert.Equal(3, dbsf.GetArrayLength());
    }

    [Fact]
    public async Task A_hosted_model_embeds_data_on_upsert_query_and_update()
    {
        await using var emulator = await EmulatorHost.StartAsync(
            new EmulatorOptions { Dimension = 64, EmbeddingModel = "builtin" }, new WordHashEmbeddingGenerator(64));
        using var client = RawClient(emulator);
        await ResultAsync(client, "upsert-data", """[{"id":"soup","data":"miso soup with tofu","metadata":{"k":1}},{"id":"cake","data":"chocolate cake"}]""");

        var found = await ResultAsync(client, "query-data", """{"data":"tofu soup","topK":1,"includeData":true,"includeMetadata":true}""");
        await ResultAsync(client, "update", """{"id":"cake","data":"tofu soup deluxe"}""");
        var afterUpdate = await ResultAsync(client, "query-data", """[{"data":"deluxe","topK":1},{"data":"tofu","topK":2}]""");
        var info = await ResultAsync(client, "info", null);

        Assert.Equal("soup", found[0].GetProperty("id").GetString());
        Assert.Equal("miso soup with tofu", found[0].GetProperty("data").GetString());
        Assert.Equal("cake", afterUpdate[0][0].GetProperty("id").GetString());
        Assert.Equal(2, afterUpdate[1].GetArrayLength());
        Assert.Equal("test-word-hash-64", info.GetProperty("denseIndex").GetProperty("embeddingModel").GetString());
    }

    [Fact]
    public async Task A_snapshot_file_keeps_the_data_across_a_restart()
    {
        using var directory = new TempDirectory();
        var options = new EmulatorOptions { Dimension = 2, SnapshotPath = Path.Combine(directory.Path, "index.json") };
        await using (var first = await EmulatorHost.StartAsync(options))
        {
            using var client = RawClient(first);
            await ResultAsync(client, "upsert/kept", """[{"id":"a","vector":[0.5,0.25],"metadata":{"m":true},"data":"d"},{"id":"b","vector":[1,1]}]""");
            await ResultAsync(client, "delete/kept", """{"ids":["b"]}""");
            await ResultAsync(client, "upsert/kept", """{"id":"c","vector":[1,2]}""");
        }

        await using var second = await EmulatorHost.StartAsync(options);
        using var again = RawClient(second);
        var page = await ResultAsync(again, "range/kept", """{"cursor":"","limit":10,"includeVectors":true,"includeMetadata":true,"includeData":true}""");

        Assert.Equal("""[{"id":"a","vector":[0.5,0.25],"metadata":{"m":true},"data":"d"},{"id":"c","vector":[1,2]}]""", page.GetProperty("vectors").GetRawText());
        Assert.Equal(["", "kept"], (await ResultAsync(again, "list-namespaces", null)).EnumerateArray().Select(e => e.GetString()));
    }
}
