using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.AI;
using RagFood.Contracts.V1;
using RagFood.Core.Embeddings;
using RagFood.Server.Ingestion;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class IngestRpcTests(ServerFixture fixture)
{
    private VectorService.VectorServiceClient Vector => fixture.Host.Vector;

    [Fact]
    public async Task Ingest_maps_mixed_schemas_and_reports_unusable_items_by_index()
    {
        const string ns = "ingest-mixed";
        var request = new IngestRequest { Namespace = ns, Items = { Items() } };

        var reply = await Vector.IngestAsync(request);

        Assert.Equal(2, reply.Written);
        Assert.Equal(0, reply.Unchanged);
        Assert.Equal("sqlite", reply.ServedBy);
        var problemIndexes = reply.Problems.Select(p => p.Index).ToList();
        Assert.Contains(2, problemIndexes);
        Assert.Contains(3, problemIndexes);
        Assert.All(reply.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));
        var fetched = await Vector.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "paella", "pierogi" } });
        Assert.All(fetched.Results, r => Assert.True(r.Found));
        Assert.Equal("Spain", fetched.Results[0].Record.Metadata.Fields["region"].StringValue);
        Assert.Contains("Spain", fetched.Results[0].Record.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingesting_the_same_items_again_writes_nothing_and_an_edit_is_picked_up()
    {
        const string ns = "ingest-idempotent";
        await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { Items().Take(2) } });

        var again = await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { Items().Take(2) } });
        var edited = Items().Take(2).ToList();
        edited[0].Fields["text"] = Value.ForString("Pierogi are filled dumplings, boiled then fried with onions.");
        var afterEdit = await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { edited } });

        Assert.Equal(0, again.Written);
        Assert.Equal(2, again.Unchanged);
        Assert.Equal(1, afterEdit.Written);
        Assert.Equal(1, afterEdit.Unchanged);
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_be_written_and_its_quota_and_writes_nothing()
    {
        const string ns = "ingest-dry-run";
        await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { Items().Take(1) } });
        var edited = Items().ToList();
        edited[0].Fields["text"] = Value.ForString("Pierogi are filled dumplings, boiled then fried with onions.");

        var dry = await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { edited }, DryRun = true });

        Assert.True(dry.DryRun);
        Assert.Equal(2, dry.Written); // the edited pierogi and the new paella
        Assert.Equal(0, dry.Unchanged);
        Assert.Equal(new[] { 2, 3 }, dry.Problems.Select(p => p.Index).Order());
        var quota = Assert.Single(dry.Quota);
        Assert.Equal("sqlite", quota.Store);
        Assert.Equal(1, quota.Reads); // one fetch for the one batch
        Assert.Equal(1, quota.Writes); // one upsert for it
        Assert.False(quota.Exceeds);
        var fetched = await Vector.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "pierogi", "paella" } });
        Assert.True(fetched.Results[0].Found);
        Assert.DoesNotContain("boiled then fried", fetched.Results[0].Record.Text, StringComparison.Ordinal);
        Assert.False(fetched.Results[1].Found);

        var unchanged = await Vector.IngestAsync(new IngestRequest { Namespace = ns, Items = { Items().Take(1) }, DryRun = true });
        Assert.Equal(0, unchanged.Written);
        Assert.Equal(1, unchanged.Unchanged);
        Assert.Equal(0, Assert.Single(unchanged.Quota).Writes);
    }

    [Fact]
    public async Task Ingest_with_no_items_is_invalid()
    {
        var error = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => Vector.IngestAsync(new IngestRequest()).ResponseAsync);

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
    }

    private static List<Struct> Items() =>
    [
        // The foods.json schema.
        Parse("""{"id": "pierogi", "text": "Pierogi are filled dumplings from Poland.", "region": "Poland", "type": "Main Course"}"""),
        // The alias schema seen in the wild.
        Parse("""{"id": "paella", "name": "Paella", "description": "Saffron rice with seafood cooked in a wide pan.", "origin": "Spain", "category": "Main Course", "ingredients": ["rice", "saffron", "prawns"]}"""),
        // No id.
        Parse("""{"text": "A food without an id."}"""),
        // No text.
        Parse("""{"id": "empty", "region": "Nowhere"}"""),
    ];

    private static Struct Parse(string json) => Google.Protobuf.JsonParser.Default.Parse<Struct>(json);
}

/// <summary>Start-up ingestion across restarts of the real server on the same SQLite file.</summary>
public sealed class StartupIngestionTests
{
    [Fact]
    public async Task A_second_start_on_the_same_store_embeds_nothing_and_a_later_edit_is_picked_up()
    {
        var directory = Directory.CreateTempSubdirectory("ragfood-restart-").FullName;
        try
        {
            var first = await StartAndIngestAsync(directory);
            var second = await StartAndIngestAsync(directory);
            File.WriteAllText(Path.Combine(directory, "foods.json"), TestCorpus.Json
                .Replace("fried milk dumplings", "deep-fried milk dumplings", StringComparison.Ordinal)
                .Replace("\"type\": \"Appetizer\"}\n]", "\"type\": \"Appetizer\"},\n  {\"id\": \"falafel\", \"text\": \"Falafel are fried balls of ground chickpeas and herbs.\", \"region\": \"Middle East\", \"type\": \"Street Food\"}\n]", StringComparison.Ordinal));
            var third = await StartAndIngestAsync(directory);

            Assert.Equal((TestCorpus.Count, 0), (first.Outcome.Written, first.Outcome.Unchanged));
            Assert.True(first.TextsEmbedded >= TestCorpus.Count);
            Assert.Equal((0, TestCorpus.Count), (second.Outcome.Written, second.Outcome.Unchanged));
            Assert.Equal(0, second.TextsEmbedded);
            Assert.Equal((2, TestCorpus.Count - 1), (third.Outcome.Written, third.Outcome.Unchanged));
            Assert.Equal(2, third.TextsEmbedded);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_corpus_with_bad_items_ingests_the_rest_and_the_server_is_healthy()
    {
        var directory = Directory.CreateTempSubdirectory("ragfood-bad-items-").FullName;
        TestCorpus.WriteTo(directory, """
            [
              {"id": "ok-1", "text": "Porridge is oats cooked in milk.", "region": "Scotland", "type": "Breakfast"},
              {"id": "ok-2", "name": "Bigos", "description": "Hunter's stew of cabbage and meat.", "origin": "Poland", "category": "Main Course"},
              {"id": "no-text"},
              42
            ]
            """);
        await using var host = await ServerHost.StartAsync(directory: directory);

        var status = await host.WaitForIngestionAsync();
        var health = await host.Health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(IngestionState.Completed, status.State);
        Assert.Equal(2, status.Outcome!.Written);
        Assert.Equal(2, status.Outcome.Problems.Count);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Without_a_configured_path_the_repository_corpus_next_to_the_binary_is_ingested()
    {
        // The content root (the host's temp directory) has no data/foods.json, so the copy next to the binary is used.
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Ingestion:CorpusPath"] = null });

        var status = await host.WaitForIngestionAsync();
        var info = await host.Vector.InfoAsync(new InfoRequest());

        Assert.Equal(IngestionState.Completed, status.State);
        Assert.True(status.Outcome!.Written >= 450, $"only {status.Outcome.Written} items written");
        Assert.Empty(status.Outcome.Problems);
        Assert.Equal(status.Outcome.Written, info.Namespaces.Single(n => n.Name == "").VectorCount);
    }

    [Fact]
    public async Task Queries_are_served_while_the_corpus_is_still_being_ingested()
    {
        await using var host = await ServerHost.StartAsync();

        // Whatever the ingestion's progress, the server answers; it may be partial.
        var reply = await host.Vector.QueryAsync(new QueryRequest { Text = "rice", TopK = 3 });
        await host.WaitForIngestionAsync();

        Assert.InRange(reply.Matches.Count, 0, 3);
    }

    private static async Task<(IngestOutcome Outcome, int TextsEmbedded)> StartAndIngestAsync(string directory)
    {
        var counting = new CountingEmbeddingGenerator(new HashingEmbeddingGenerator());
        await using var host = await ServerHost.StartAsync(
            directory: directory,
            configureServices: services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(counting));
        var status = await host.WaitForIngestionAsync();
        Assert.Equal(IngestionState.Completed, status.State);
        return (status.Outcome!, counting.TextsEmbedded);
    }
}
