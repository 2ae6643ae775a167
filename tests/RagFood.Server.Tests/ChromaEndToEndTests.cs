using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using RagFood.Contracts.V1;
using RagFood.Providers.Tests.Chroma;
using RagFood.Server.Ingestion;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The server with <c>VectorStore:Provider = Chroma</c> against a real Chroma server, over real gRPC.</summary>
public sealed class ChromaEndToEndTests : IAsyncLifetime
{
    private ChromaServer? _chroma;

    public async Task InitializeAsync() => _chroma = await ChromaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_chroma is not null)
        {
            await _chroma.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_server_on_chroma_ingests_the_corpus_and_answers_ask_from_it()
    {
        var settings = new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Chroma",
            ["VectorStore:Chroma:Url"] = _chroma!.Url.ToString(),
            ["VectorStore:Chroma:Collection"] = "foods",
        };
        await using var host = await ServerHost.StartAsync(settings);
        var status = await host.WaitForIngestionAsync();

        var reply = await host.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });
        var ingest = await host.Vector.IngestAsync(new IngestRequest
        {
            Namespace = "extra",
            Items = { Google.Protobuf.JsonParser.Default.Parse<Struct>("""{"id": "pierogi", "text": "Pierogi are filled dumplings from Poland.", "region": "Poland", "type": "Main Course", "ingredients": ["flour", "potato"]}""") },
        });
        var again = await host.Vector.IngestAsync(new IngestRequest
        {
            Namespace = "extra",
            Items = { Google.Protobuf.JsonParser.Default.Parse<Struct>("""{"id": "pierogi", "text": "Pierogi are filled dumplings from Poland.", "region": "Poland", "type": "Main Course", "ingredients": ["flour", "potato"]}""") },
        });
        var fetched = await host.Vector.FetchAsync(new FetchRequest { Namespace = "extra", Ids = { "pierogi" } });

        Assert.Equal(IngestionState.Completed, status.State);
        Assert.Equal(TestCorpus.Count, status.Outcome!.Written);
        Assert.Equal("chroma", reply.ServedBy);
        Assert.Equal("biryani", reply.Sources[0].Id);
        Assert.Equal("India", reply.Sources[0].Metadata.Fields["region"].StringValue);
        Assert.InRange(reply.Sources[0].Score, 0f, 1f);
        Assert.Equal(1, ingest.Written);
        Assert.Equal(1, again.Unchanged);
        Assert.Equal("potato", fetched.Results[0].Record.Metadata.Fields["ingredients"].ListValue.Values[1].StringValue);

        // What the server wrote is really in Chroma: the collection counts the corpus, the namespace is its own collection.
        using var http = new HttpClient { BaseAddress = new Uri(_chroma.Url, "/api/v2/tenants/default_tenant/databases/default_database/") };
        var collection = JsonDocument.Parse(await http.GetStringAsync("collections/foods")).RootElement;
        var count = await http.GetStringAsync($"collections/{collection.GetProperty("id").GetString()}/count");
        Assert.Equal(TestCorpus.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
        Assert.Equal("cosine", collection.GetProperty("configuration_json").GetProperty("hnsw").GetProperty("space").GetString());
        using var extra = await http.GetAsync("collections/foods__ns__extra");
        Assert.True(extra.IsSuccessStatusCode);
    }
}
