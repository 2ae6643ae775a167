using RagFood.Core.Durable;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;
using RagFood.Transfer.Tests.Support;
using RagFood.Transfer.Verification;
using RagFood.UpstashEmulator;

namespace RagFood.Transfer.Tests;

/// <summary>Chroma (a real server) → Upstash (the emulator over real HTTP), through the engine and the verifier.</summary>
[Collection(ChromaCollection.Name)]
public sealed class MigrationEngineTests(ChromaFixture chroma) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Vectors_mode_copies_every_record_and_verifies_clean_with_stored_vector_overlap_of_one()
    {
        await using var source = await ChromaWithAsync(120);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var summary = await RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000))
        {
            Mode = TransferMode.Vectors,
            BatchSize = 50,
        });
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(target.Store), new VerifyOptions { Mode = TransferMode.Vectors, SampleSize = 10 });

        Assert.Equal(MigrationStatus.Completed, summary.Status);
        Assert.Equal(120, summary.Written);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert-data"));
        Assert.True(report.Clean, report.ToJson());
        Assert.Equal(10, report.Vectors!.Sampled);
        Assert.Equal(10, report.Vectors.Equal);
        Assert.Equal(1.0, report.Vectors.OverlapAt10);
        Assert.Equal(120, Assert.Single(report.Namespaces).ActualCount);
    }

    [Fact]
    public async Task Text_mode_has_the_target_embed_and_verifies_clean_with_the_question_overlap_reported()
    {
        await using var source = await ChromaWithAsync(60);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var summary = await RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { BatchSize = 25 });
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(target.Store),
            new VerifyOptions { Questions = ["a dessert from Japan", "spicy soup from Peru"] });

        Assert.Equal(60, summary.Written);
        Assert.True(emulator.Admin.Stats.For("upsert-data") > 0, "text mode must let the target embed");
        Assert.True(report.Clean, report.ToJson());
        Assert.Equal(2, report.Questions!.Questions);
        Assert.NotNull(report.Questions.OverlapAt3);
    }

    [Fact]
    public async Task A_second_run_skips_every_unchanged_record_and_a_changed_one_is_written_again()
    {
        await using var source = await ChromaWithAsync(40);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        var engine = new MigrationEngine(checkpoints);
        MigrationPlan Plan() => new(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { Mode = TransferMode.Vectors };
        await RunAsync(engine, Plan());
        await source.Store.UpsertAsync(new UpsertRequest([new VectorRecord("food-0007") { Text = "A changed dish." }]));

        var second = await RunAsync(engine, Plan());

        Assert.Equal(40, second.Read);
        Assert.Equal(1, second.Written);
        Assert.Equal(39, second.Skipped);
        Assert.Equal("A changed dish.", (await target.Store.FetchAsync(FetchRequest.ByIds("food-0007")))[0]!.Text);
    }

    [Fact]
    public async Task A_dry_run_reports_what_it_would_write_and_writes_nothing()
    {
        await using var source = await ChromaWithAsync(30);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var summary = await RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { DryRun = true });

        Assert.True(summary.DryRun);
        Assert.Equal(30, summary.Written);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert"));
        Assert.Equal(0, emulator.Admin.Stats.For("upsert-data"));
        Assert.Equal(0, (await target.Store.GetInfoAsync()).VectorCount);
    }

    [Fact]
    public async Task Vectors_mode_across_embedding_spaces_is_refused_before_anything_is_written_naming_both_spaces()
    {
        await using var source = await ChromaWithAsync(10);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = TestStores.Dimension, EmbeddingModel = "BAAI/bge-small-en-v1.5" });
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() =>
            RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { Mode = TransferMode.Vectors }));

        Assert.Contains("BAAI/bge-small-en-v1.5", error.Message);
        Assert.Contains(TestStores.Embedder.ModelId, error.Message);
        Assert.Contains("text mode", error.Message);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert"));
    }

    [Fact]
    public async Task A_batch_size_above_the_targets_limit_is_refused_before_anything_is_written()
    {
        await using var source = await ChromaWithAsync(5);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var error = await Assert.ThrowsAsync<TransferInputException>(() =>
            RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { BatchSize = 1001 }));

        Assert.Contains("1001", error.Message);
        Assert.Contains("1000", error.Message);
        Assert.Equal(0, emulator.Admin.Stats.Requests);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_before_anything_is_written()
    {
        await using var source = await ChromaWithAsync(5);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, "not-the-token");
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000))));

        Assert.Equal(VectorStoreErrorKind.Unauthenticated, error.Kind);
        Assert.DoesNotContain("not-the-token", error.Message);
        Assert.Equal(0, emulator.Admin.Stats.For("upsert-data"));
    }

    [Fact]
    public async Task An_unreachable_target_is_refused_before_anything_is_read_from_the_source_pages()
    {
        await using var source = await ChromaWithAsync(5);
        await using var target = TestStores.Upstash("http://127.0.0.1:9", "token", o =>
        {
            o.MaxRetries = 0;
            o.Timeout = TimeSpan.FromSeconds(3);
            o.AttemptTimeout = TimeSpan.FromSeconds(2);
        });
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        var events = new List<MigrationEvent>();

        var error = await Assert.ThrowsAsync<VectorStoreException>(async () =>
        {
            await foreach (var e in new MigrationEngine(checkpoints).RunAsync(new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000))))
            {
                events.Add(e);
            }
        });

        Assert.True(error.IsTransient, error.Message);
        Assert.Empty(events);
    }

    [Fact]
    public async Task Rate_limit_answers_are_retried_and_the_result_is_exact()
    {
        await using var source = await ChromaWithAsync(80);
        await using var emulator = await StartEmulatorAsync();
        // No retries inside the store: the engine's own backoff has to carry the run through every third 429.
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token, o =>
        {
            o.MaxRetries = 0;
            o.BreakerFailureRatio = 0.9;
        });
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        emulator.Admin.Faults = new FaultSettings { Rate429 = 0.34 };

        var summary = await RunAsync(new MigrationEngine(checkpoints, new MigrationEngineOptions { RetryDelay = TimeSpan.FromMilliseconds(5) }),
            new MigrationPlan(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { Mode = TransferMode.Vectors, BatchSize = 20 });
        emulator.Admin.Faults = new FaultSettings();
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(target.Store), new VerifyOptions { Mode = TransferMode.Vectors });

        Assert.True(emulator.Admin.Stats.Injected429 >= 3, $"only {emulator.Admin.Stats.Injected429} 429s were injected");
        Assert.Equal(80, summary.Written);
        Assert.True(report.Clean, report.ToJson());
    }

    [Fact]
    public async Task A_daily_quota_that_runs_out_pauses_the_run_and_resume_finishes_it_exactly()
    {
        await using var source = await ChromaWithAsync(200);
        await using var emulator = await StartEmulatorAsync();
        await using var target = TestStores.Upstash(emulator.Url, emulator.Token, o => o.MaxRetries = 0);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        var engine = new MigrationEngine(checkpoints, new MigrationEngineOptions { RetryDelay = TimeSpan.FromMilliseconds(5) });
        MigrationPlan Plan(bool resume) => new(new StoreRecordSource(source.Store), new StoreRecordSink(target.Store, 1000)) { Mode = TransferMode.Vectors, BatchSize = 20, Resume = resume };
        // info + (fetch + upsert) per batch: the quota runs out in the fourth batch.
        emulator.Admin.Faults = new FaultSettings { DailyQuota = 8 };

        var events = new List<MigrationEvent>();
        await foreach (var e in engine.RunAsync(Plan(resume: false)))
        {
            events.Add(e);
        }

        var paused = events[^1].Summary!;
        emulator.Admin.Faults = new FaultSettings();
        emulator.Admin.ResetQuota();
        var stored = (await TestStores.ReadAllAsync(target.Store)).Count;
        Assert.Equal(MigrationStatus.Paused, paused.Status);
        Assert.Contains(events, e => e.Kind == MigrationEventKind.Paused);
        Assert.Contains("daily request quota", paused.Message);
        Assert.Contains("--resume", paused.Message);
        Assert.InRange(paused.Written, 20, 180);
        Assert.Equal(paused.Written, stored);

        var resumed = await RunAsync(engine, Plan(resume: true));
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(target.Store), new VerifyOptions { Mode = TransferMode.Vectors });

        Assert.True(resumed.Resumed);
        Assert.Equal(MigrationStatus.Completed, resumed.Status);
        Assert.Equal(200, resumed.Read);
        Assert.Equal(200, resumed.Written);
        Assert.True(report.Clean, report.ToJson());
    }

    internal static async Task<MigrationSummary> RunAsync(MigrationEngine engine, MigrationPlan plan)
    {
        MigrationSummary? summary = null;
        await foreach (var e in engine.RunAsync(plan))
        {
            summary = e.Summary ?? summary;
        }

        return summary ?? throw new InvalidOperationException("The run ended without a summary.");
    }

    private static Task<RunningEmulator> StartEmulatorAsync() =>
        EmulatorHost.StartAsync(new EmulatorOptions { Dimension = TestStores.Dimension, EmbeddingModel = "builtin" });

    private async Task<TestStore> ChromaWithAsync(int count)
    {
        var store = TestStores.Chroma(chroma.Server.Url, ChromaFixture.UniqueCollection("transfer"));
        await TestStores.FillAsync(store.Store, TestStores.Foods(count));
        return store;
    }
}
