using Grpc.Core;
using RagFood.Contracts.V1;
using Stores = RagFood.Core.VectorStores;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests.Transfer;

/// <summary>Export, Restore, VerifyStores and RepairStores over real gRPC, with SQLite primary (the shipped corpus
/// ingested) and the Upstash emulator as fallback in the same embedding space.</summary>
public sealed class StoresAndBackupServiceTests
{
    [Fact]
    public async Task An_export_of_the_primary_restores_into_the_fallback_and_the_stores_then_verify_equal()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await StartServerAsync(emulator);
        await server.WaitForIngestionAsync();
        var migration = new MigrationService.MigrationServiceClient(server.Channel);
        var stores = new StoresService.StoresServiceClient(server.Channel);
        var file = Path.Combine(server.Directory, "backup.jsonl.gz");

        var before = await stores.VerifyStoresAsync(new VerifyStoresRequest());
        var exported = await LastAsync(migration.Export(new ExportRequest { Path = file, Gzip = true }).ResponseStream);
        var restored = await LastAsync(migration.Restore(new RestoreRequest { Path = file, Store = "fallback", Mode = TransferMode.Vectors }).ResponseStream);
        var after = await stores.VerifyStoresAsync(new VerifyStoresRequest());
        // Text mode between two stores: no questions file under this content root is said, and a named one is measured.
        var noQuestions = await migration.VerifyAsync(new VerifyRequest { Source = new TransferEndpoint { Store = "primary" }, Target = new TransferEndpoint { Store = "fallback" } });
        var questions = Path.Combine(server.Directory, "questions.json");
        await File.WriteAllTextAsync(questions, """[{"question": "a lentil dish from India"}, "raw fish on rice"]""");
        var measured = await migration.VerifyAsync(new VerifyRequest { Source = new TransferEndpoint { Store = "primary" }, Target = new TransferEndpoint { Store = "fallback" }, QuestionsPath = questions });

        Assert.False(before.Report.Clean);
        Assert.Equal(TestCorpus.Count, before.Report.Namespaces[0].MissingCount);
        Assert.Equal(TransferMode.Vectors, exported.Summary.Mode);
        Assert.Equal(TestCorpus.Count, exported.Summary.Written);
        Assert.True(exported.Summary.Verification.Clean, exported.Summary.Verification.ToString());
        Assert.Equal(TestCorpus.Count, restored.Summary.Written);
        Assert.True(restored.Summary.Verification.Clean, restored.Summary.Verification.ToString());
        Assert.Equal("sqlite", after.Primary);
        Assert.Equal("upstash", after.Fallback);
        Assert.True(after.Report.Clean, after.Report.ToString());
        Assert.Equal(0, emulator.Admin.Stats.For("upsert-data"));
        Assert.Equal(0, noQuestions.Report.Questions.Questions);
        Assert.Contains("no questions file at", noQuestions.Report.Questions.Note, StringComparison.Ordinal);
        Assert.Contains("Migration:QuestionsPath", noQuestions.Report.Questions.Note, StringComparison.Ordinal);
        Assert.Equal(2, measured.Report.Questions.Questions);
        Assert.True(measured.Report.Questions.HasOverlapAt3, measured.Report.ToString());
    }

    [Fact]
    public async Task RepairStores_copies_the_primarys_version_of_every_difference_and_deletes_what_only_the_fallback_has()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await StartServerAsync(emulator);
        await server.WaitForIngestionAsync();
        var stores = new StoresService.StoresServiceClient(server.Channel);
        var primary = server.Services.GetRequiredKeyedService<Stores.IVectorStore>("sqlite");
        var fallback = server.Services.GetRequiredKeyedService<Stores.IVectorStore>("upstash");
        // Start from equal stores: the corpus was ingested into the primary only.
        Assert.True((await stores.RepairStoresAsync(new RepairStoresRequest())).After.Clean);
        // Three kinds of drift: a record changed on the primary, one missing on the fallback, one only on the fallback.
        await primary.UpsertAsync(new Stores.UpsertRequest([new Stores.VectorRecord("dal") { Text = "Dal, now with extra garlic." }]));
        await fallback.DeleteAsync(Stores.DeleteRequest.ByIds("sushi"));
        await fallback.UpsertAsync(new Stores.UpsertRequest([new Stores.VectorRecord("stray") { Text = "A record only the fallback has." }]));

        var drift = await stores.VerifyStoresAsync(new VerifyStoresRequest());
        var dryRun = await stores.RepairStoresAsync(new RepairStoresRequest { DryRun = true });
        var repair = await stores.RepairStoresAsync(new RepairStoresRequest { Direction = RepairDirection.PrimaryToFallback });
        var clean = await stores.VerifyStoresAsync(new VerifyStoresRequest());

        var ns = drift.Report.Namespaces.Single(n => n.Namespace.Length == 0);
        Assert.Equal(["sushi"], ns.Missing);
        Assert.Equal(["stray"], ns.Extra);
        Assert.Equal(["dal"], ns.Changed);
        Assert.Equal(3, drift.Report.Differences);
        Assert.True(dryRun.DryRun);
        Assert.Equal(0, dryRun.Copied);
        Assert.Equal(2, repair.Copied);
        Assert.Equal(1, repair.Deleted);
        Assert.True(repair.After.Clean, repair.After.ToString());
        Assert.True(clean.Report.Clean, clean.Report.ToString());
        Assert.Equal("Dal, now with extra garlic.", (await fallback.FetchAsync(Stores.FetchRequest.ByIds("dal")))[0]!.Text);
    }

    [Fact]
    public async Task VerifyStores_without_a_fallback_is_a_failed_precondition()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Ingestion:OnStart"] = "false" });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new StoresService.StoresServiceClient(server.Channel).VerifyStoresAsync(new VerifyStoresRequest()));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("VectorStore:Fallback", error.Status.Detail);
    }

    private static Task<ServerHost> StartServerAsync(RunningEmulator emulator) => ServerHost.StartAsync(new Dictionary<string, string?>
    {
        ["VectorStore:Provider"] = "Sqlite",
        ["VectorStore:Fallback"] = "Upstash",
        ["VectorStore:Upstash:Url"] = emulator.Url,
        ["VectorStore:Upstash:Token"] = emulator.Token,
    });

    private static async Task<TransferEvent> LastAsync<T>(IAsyncStreamReader<T> stream)
        where T : Google.Protobuf.IMessage
    {
        TransferEvent? last = null;
        await foreach (var response in stream.ReadAllAsync())
        {
            last = response switch
            {
                ExportResponse e => e.Event,
                RestoreResponse r => r.Event,
                _ => throw new InvalidOperationException(typeof(T).Name),
            };
        }

        return last ?? throw new InvalidOperationException("The stream ended without events.");
    }
}
