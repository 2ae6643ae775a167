using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>The server with <c>VectorStore:Provider=Upstash</c> against the Upstash emulator (hosted embedding model on),
/// over real gRPC: the corpus is ingested through /upsert-data and Ask retrieves through /query-data.</summary>
public sealed class UpstashEndToEndTests
{
    [Fact]
    public async Task Ask_is_served_by_upstash_after_the_corpus_is_ingested_into_it()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
        });
        var ingestion = await server.WaitForIngestionAsync();
        Assert.Equal(RagFood.Server.Ingestion.IngestionState.Completed, ingestion.State);
        Assert.True(emulator.Admin.Stats.For("upsert-data") > 0, "the corpus was not written through /upsert-data");

        var reply = await server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });

        Assert.Equal("upstash", reply.ServedBy);
        Assert.False(reply.FallbackUsed);
        Assert.Equal("biryani", reply.Sources[0].Id);
        Assert.Equal("India", reply.Sources[0].Metadata.Fields["region"].StringValue);
        Assert.InRange(reply.Sources[0].Score, 0f, 1f);
        Assert.True(emulator.Admin.Stats.For("query-data") > 0, "the question was not embedded by the index");
    }

    [Fact]
    public async Task A_filter_in_ask_reaches_upstash_and_limits_the_sources()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
        });
        await server.WaitForIngestionAsync();

        var reply = await server.Rag.AskAsync(new AskRequest { Question = "something sweet", TopK = 5, Filter = "type = 'Dessert'" });

        Assert.InRange(reply.Sources.Count, 1, 5);
        Assert.All(reply.Sources, s => Assert.Equal("Dessert", s.Metadata.Fields["type"].StringValue));
        Assert.Equal("upstash", reply.ServedBy);
    }
}
