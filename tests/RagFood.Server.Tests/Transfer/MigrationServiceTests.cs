using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests.Transfer;

/// <summary>The users' case over real gRPC: a legacy chroma_db (documents and vectors, no metadata) into Upstash (the
/// emulator) with the corpus join, in both modes, verified at the end; and the bad inputs refused before any write.</summary>
public sealed class MigrationServiceTests(LegacyChromaDbFixture legacy) : IClassFixture<LegacyChromaDbFixture>
{
    [Fact]
    public async Task The_legacy_chroma_db_migrates_in_vectors_mode_with_the_corpus_join_and_verifies_clean()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var server = await StartServerAsync(emulator);

        var events = await MigrateAsync(server, new MigrateRequest
        {
            Source = LegacySource(legacy.Embedder.ModelId),
            Target = new TransferEndpoint { Store = "primary" },
            Mode = TransferMode.Vectors,
            CorpusPath = legacy.CorpusPath,
            BatchSize = 4,
        });
        var summary = events[^1].Summary;

        Assert.Equal(TransferEvent.EventOneofCase.Started, events[0].EventCase);
        Assert.Contains(events, e => e.EventCase == TransferEvent.EventOneofCase.Progress);
        Assert.Equal(TransferStatus.Completed, summary.Status);
        Assert.Equal(10, summary.Written);
        Assert.Equal(["legacy-only"], summary.SourceOnlyIds);
        Assert.Equal(["hummus"], summary.CorpusOnlyIds);
        Assert.True(summary.Verification.Clean, summary.Verification.ToString());
        Assert.Equal(summary.Verification.Vectors.Sampled, summary.Verification.Vectors.Equal);
        Assert.True(File.Exists(summary.ReportPath), summary.ReportPath);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert-data"));

        var biryani = (await server.Vector.FetchAsync(new FetchRequest { Ids = { "biryani" } })).Results[0].Record;
        Assert.Equal("India", biryani.Metadata.Fields["region"].StringValue);
        Assert.Equal("Main Course", biryani.Metadata.Fields["type"].StringValue);
        Assert.EndsWith("This food is popular in India. It is a type of Main Course.", biryani.Text);
        var match = await server.Vector.QueryAsync(new QueryRequest { Vector = { legacy.Embedder.Embed(legacy.Corpus.Single(i => i.Id == "sushi").EnrichedText) }, TopK = 1 });
        Assert.Equal("sushi", match.Matches[0].Id);
    }

    [Fact]
    public async Task The_legacy_chroma_db_migrates_in_text_mode_re_embedding_the_enriched_text()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var server = await StartServerAsync(emulator);

        var events = await MigrateAsync(server, new MigrateRequest
        {
            Source = LegacySource(""),
            Target = new TransferEndpoint { Store = "upstash" },
            Mode = TransferMode.Text,
            CorpusPath = legacy.CorpusPath,
        });
        var summary = events[^1].Summary;
        var verify = await new MigrationService.MigrationServiceClient(server.Channel).VerifyAsync(new VerifyRequest
        {
            Source = LegacySource(""),
            Target = new TransferEndpoint { Store = "primary" },
            CorpusPath = legacy.CorpusPath,
        });

        Assert.Equal(10, summary.Written);
        Assert.True(summary.Verification.Clean, summary.Verification.ToString());
        Assert.True(verify.Report.Clean, verify.Report.ToString());
        Assert.Equal(10, verify.Report.Namespaces[0].ActualCount);
        Assert.Contains("one side is a file", verify.Report.Questions.Note, StringComparison.Ordinal);
        Assert.True(emulator.Admin.Stats.For("upsert-data") > 0, "text mode must have the index embed");
        var dal = (await server.Vector.FetchAsync(new FetchRequest { Ids = { "dal" } })).Results[0].Record;
        Assert.Equal("India", dal.Metadata.Fields["region"].StringValue);

        // Without the join the same store differs from the legacy records in every joined id: verify says so.
        var unjoined = await new MigrationService.MigrationServiceClient(server.Channel).VerifyAsync(new VerifyRequest
        {
            Source = LegacySource(""),
            Target = new TransferEndpoint { Store = "primary" },
        });
        Assert.False(unjoined.Report.Clean);
        Assert.Equal(9, unjoined.Report.Namespaces[0].ChangedCount);
    }

    [Fact]
    public async Task Bad_inputs_are_refused_with_clear_statuses_before_anything_is_written()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var server = await StartServerAsync(emulator);
        var garbage = Path.Combine(server.Directory, "garbage.jsonl");
        await File.WriteAllTextAsync(garbage, "{\"format\":\"ragfood-export\",\"version\":1,\"source\":\"x\",\"space\":null,\"counts\":{}}\n{not json\n");

        var absent = Path.Combine(server.Directory, "nonexistent", "chroma_db");
        var missing = await RefusedAsync(server, new MigrateRequest { Source = new TransferEndpoint { ChromaDb = new ChromaDbLocation { Path = absent } }, Target = new TransferEndpoint { Store = "primary" } });
        var tooBig = await RefusedAsync(server, new MigrateRequest { Source = LegacySource(""), Target = new TransferEndpoint { Store = "primary" }, BatchSize = 5000 });
        var spaces = await RefusedAsync(server, new MigrateRequest { Source = LegacySource("mxbai-embed-large"), Target = new TransferEndpoint { Store = "primary" }, Mode = TransferMode.Vectors });
        var noModel = await RefusedAsync(server, new MigrateRequest { Source = LegacySource(""), Target = new TransferEndpoint { Store = "primary" }, Mode = TransferMode.Vectors });
        var unknownStore = await RefusedAsync(server, new MigrateRequest { Source = LegacySource(""), Target = new TransferEndpoint { Store = "chroma" } });
        var corrupt = await RefusedAsync(server, new MigrateRequest { Source = new TransferEndpoint { ExportFile = garbage }, Target = new TransferEndpoint { Store = "primary" } });
        var noSource = await RefusedAsync(server, new MigrateRequest { Target = new TransferEndpoint { Store = "primary" } });
        var sameStore = await RefusedAsync(server, new MigrateRequest { Source = new TransferEndpoint { Store = "primary" }, Target = new TransferEndpoint { Store = "upstash" }, RewriteUnchanged = true });
        var sameFile = await RefusedAsync(server, new MigrateRequest { Source = new TransferEndpoint { ExportFile = garbage }, Target = new TransferEndpoint { ExportFile = garbage } });
        var verifySame = await Assert.ThrowsAsync<RpcException>(async () => await new MigrationService.MigrationServiceClient(server.Channel).VerifyAsync(new VerifyRequest
        {
            Source = new TransferEndpoint { Store = "upstash" },
            Target = new TransferEndpoint { Store = "primary" },
        }));

        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains(absent, missing.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, tooBig.StatusCode);
        Assert.Contains("5000", tooBig.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, spaces.StatusCode);
        Assert.Contains("mxbai-embed-large", spaces.Status.Detail);
        Assert.Contains(legacy.Embedder.ModelId, spaces.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noModel.StatusCode);
        Assert.Contains("embedding model", noModel.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, unknownStore.StatusCode);
        Assert.Contains("not configured", unknownStore.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, corrupt.StatusCode);
        Assert.Contains("line 2", corrupt.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noSource.StatusCode);
        foreach (var same in new[] { sameStore, sameFile, verifySame })
        {
            Assert.Equal(StatusCode.InvalidArgument, same.StatusCode);
            Assert.Contains("source and target are both", same.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Contains("'upstash'", sameStore.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(garbage, sameFile.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("{\"format\"", await File.ReadAllTextAsync(garbage), StringComparison.Ordinal);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert") + emulator.Admin.Stats.For("upsert-data"));
    }

    [Fact]
    public async Task A_wrong_upstash_token_is_unauthenticated_before_anything_is_written()
    {
        await using var emulator = await StartEmulatorAsync();
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = "wrong-token",
            ["Ingestion:OnStart"] = "false",
        });

        var error = await RefusedAsync(server, new MigrateRequest { Source = LegacySource(""), Target = new TransferEndpoint { Store = "primary" } });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.DoesNotContain("wrong-token", error.Status.Detail);
    }

    private TransferEndpoint LegacySource(string model) =>
        new() { ChromaDb = new ChromaDbLocation { Path = legacy.Directory, Collection = "foods", EmbeddingModel = model } };

    private static Task<RunningEmulator> StartEmulatorAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { Dimension = LegacyChromaDbFixture.Dimension, EmbeddingModel = "builtin" });

    private static Task<ServerHost> StartServerAsync(RunningEmulator emulator) => ServerHost.StartAsync(new Dictionary<string, string?>
    {
        ["VectorStore:Provider"] = "Upstash",
        ["VectorStore:Upstash:Url"] = emulator.Url,
        ["VectorStore:Upstash:Token"] = emulator.Token,
        ["Ingestion:OnStart"] = "false",
    });

    internal static async Task<List<TransferEvent>> MigrateAsync(ServerHost server, MigrateRequest request, string? apiKey = null)
    {
        var headers = apiKey is null ? null : new Metadata { { "authorization", "Bearer " + apiKey } };
        using var call = new MigrationService.MigrationServiceClient(server.Channel).Migrate(request, headers);
        var events = new List<TransferEvent>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            events.Add(response.Event);
        }

        return events;
    }

    private static async Task<RpcException> RefusedAsync(ServerHost server, MigrateRequest request) =>
        await Assert.ThrowsAsync<RpcException>(() => MigrateAsync(server, request));
}
