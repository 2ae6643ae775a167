using Microsoft.Extensions.Options;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Durable;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Upsert throughput of the embedded store with 64 concurrent writers: group commit (one transaction and one
/// fsync per batch) against one fsync per call, same machine, same run, rounds alternating.</summary>
/// <remarks>Each call upserts one record with text (embedded by the built-in hashing embedder), as a client's Upsert
/// RPC does; ids cycle within 64 × 50, so both files stay the same size. Both stores use synchronous=FULL: every
/// acknowledged write is on disk either way. Target: group commit ≥ 5× the per-call path's throughput.</remarks>
internal sealed class GroupCommitBenchmark : IBenchmark
{
    private const int Writers = 64;
    private const int Dimension = 256;

    public string Name => "group-commit";

    public string Description => "SQLite Upsert with 64 concurrent writers: group commit vs one fsync per call (same run): req/s, p50, p99.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var directory = context.CreateDirectory("group-commit");
        using var embedder = new HashingEmbeddingGenerator(Dimension);
        await using var grouped = new SqliteVectorStore(Options.Create(new SqliteVectorStoreOptions { Path = Path.Combine(directory, "grouped.db") }), embedder);
        await using var single = new SqliteVectorStore(Options.Create(new SqliteVectorStoreOptions { Path = Path.Combine(directory, "single.db"), GroupCommit = false }), embedder);
        await grouped.OpenAsync(cancellationToken);
        await single.OpenAsync(cancellationToken);

        static Func<CancellationToken, Task> Writer(SqliteVectorStore store) => Measure.Numbered((n, ct) =>
            store.UpsertAsync(new UpsertRequest([new VectorRecord($"r{n % (Writers * 50)}") { Text = $"dish number {n} with rice and spice" }]), ct));

        // Per-call: one fsync per write, so a round is kept small; group commit gets the same number of calls.
        var (groupedSample, singleSample) = await CompareAsync(context, Writer(grouped), Writer(single), context.Pick(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500)), cancellationToken);

        const string name = "Upsert 1 record, 64 writers";
        const string baseline = "one fsync per call";
        var journalRows = await JournalAppendsAsync(context, directory, cancellationToken);
        return
        [
            new(Name, name, "throughput", groupedSample.Throughput, "req/s")
            {
                Baseline = singleSample.Throughput,
                BaselineName = baseline,
                Target = BenchmarkTarget.RatioAtLeast(5),
                Note = $"group commit, synchronous=FULL, {groupedSample.Count} / {singleSample.Count} calls",
            },
            new(Name, name, "p50", groupedSample.Percentile(50), "ms") { Baseline = singleSample.Percentile(50), BaselineName = baseline },
            new(Name, name, "p99", groupedSample.Percentile(99), "ms") { Baseline = singleSample.Percentile(99), BaselineName = baseline },
            .. journalRows,
        ];
    }

    /// <summary>The dual-write journal's appends, 64 at once: group commit against one fsync per append, same run.</summary>
    private static async Task<IReadOnlyList<BenchmarkRow>> JournalAppendsAsync(BenchmarkContext context, string directory, CancellationToken cancellationToken)
    {
        await using var groupedFile = new DurableSideFile(new DurableSideFileOptions { Path = Path.Combine(directory, "journal-grouped.db") });
        await using var singleFile = new DurableSideFile(new DurableSideFileOptions { Path = Path.Combine(directory, "journal-single.db"), GroupCommit = false });
        var grouped = new SqliteWriteJournalFactory(groupedFile).For("fallback");
        var single = new SqliteWriteJournalFactory(singleFile).For("fallback");

        static Func<CancellationToken, Task> Appender(IWriteJournal journal) => Measure.Numbered((n, ct) =>
            journal.AppendAsync(JournaledWrite.ForUpsert(new UpsertRequest([new VectorRecord($"r{n}") { Text = $"dish number {n} with rice and spice" }])), ct));

        var (groupedSample, singleSample) = await CompareAsync(context, Appender(grouped), Appender(single), context.Pick(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300)), cancellationToken);

        const string name = "journal append, 64 writers";
        const string baseline = "one fsync per append";
        return
        [
            new("group-commit", name, "throughput", groupedSample.Throughput, "appends/s")
            {
                Baseline = singleSample.Throughput,
                BaselineName = baseline,
                Target = BenchmarkTarget.RatioAtLeast(5),
                Note = $"SqliteWriteJournal (dual-write outbox), group commit, synchronous=FULL, {groupedSample.Count} / {singleSample.Count} appends",
            },
            new("group-commit", name, "p99", groupedSample.Percentile(99), "ms") { Baseline = singleSample.Percentile(99), BaselineName = baseline },
        ];
    }

    /// <summary>64 writers on each side after a warm-up, rounds alternating: group commit against one fsync per call.</summary>
    private static async Task<(LatencySample Grouped, LatencySample Single)> CompareAsync(
        BenchmarkContext context, Func<CancellationToken, Task> grouped, Func<CancellationToken, Task> single, TimeSpan warmUp, CancellationToken cancellationToken)
    {
        await Measure.WarmUpAsync(Writers, warmUp, grouped, cancellationToken);
        await Measure.WarmUpAsync(Writers, warmUp, single, cancellationToken);
        var perWriter = context.Pick(10, 2);
        var groupedSample = new LatencySample();
        var singleSample = new LatencySample();
        await Measure.InterleaveAsync(
            context.Pick(6, 2),
            async _ => groupedSample.Add(await Measure.LoadAsync(Writers, perWriter, grouped, cancellationToken)),
            async _ => singleSample.Add(await Measure.LoadAsync(Writers, perWriter, single, cancellationToken)),
            cancellationToken);
        return (groupedSample, singleSample);
    }
}
