using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Durable;
using RagFood.Core.VectorStores;
using RagFood.Server;
using RagFood.UpstashEmulator;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Failover read latency during a primary black hole against the fallback queried directly, and dual-write
/// throughput against primary-only writes, over the real Upstash provider (the emulator) and the SQLite store, in one
/// process with the server's own registrations.</summary>
internal sealed class FailoverBenchmark : IBenchmark
{
    public string Name => "failover";

    public string Description => "Read p99 in the first seconds of a black-holed Upstash primary vs the SQLite fallback queried directly; Dual vs Primary write throughput.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" }, cancellationToken: cancellationToken);
        var directory = context.CreateDirectory("failover");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Fallback"] = "Sqlite",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
            ["VectorStore:Sqlite:Path"] = Path.Combine(directory, "fallback.db"),
            ["Ingestion:OnStart"] = "false",
            ["Logging:LogLevel:Default"] = "Error",
        });
        builder.AddRagFoodServer();
        await using var app = builder.Build();
        var upstash = app.Services.GetRequiredKeyedService<IVectorStore>("upstash");
        var sqlite = app.Services.GetRequiredKeyedService<IVectorStore>("sqlite");
        await using var sideFile = new DurableSideFile(new DurableSideFileOptions { Path = Path.Combine(directory, "journal.db") });
        var journals = new SqliteWriteJournalFactory(sideFile);

        var rows = new List<BenchmarkRow>();
        rows.AddRange(await WritesAsync(context, upstash, sqlite, journals, cancellationToken));
        rows.Add(await BlackHoleReadsAsync(context, emulator, upstash, sqlite, cancellationToken));
        return rows;
    }

    private async Task<IReadOnlyList<BenchmarkRow>> WritesAsync(BenchmarkContext context, IVectorStore upstash, IVectorStore sqlite, IWriteJournalFactory journals, CancellationToken cancellationToken)
    {
        var count = context.Pick(400, 60);
        using var primaryOnly = FallbackComposition.Create(upstash, sqlite, new FallbackVectorStoreOptions());
        using var dual = FallbackComposition.Create(upstash, sqlite, new FallbackVectorStoreOptions { WriteMode = WriteMode.Dual }, journals.For("sqlite"), journals.For("upstash"));
        double primaryRate = 0, dualRate = 0;
        await Measure.InterleaveAsync(context.Pick(4, 2),
            async round => primaryRate += await WriteRateAsync(primaryOnly.Store, $"p{round}", count, cancellationToken),
            async round => dualRate += await WriteRateAsync(dual.Store, $"d{round}", count, cancellationToken),
            cancellationToken);

        // 64 writers at once: dual writes on different records run side by side and their journal appends share
        // group commits; one writer alone still pays one journal fsync per write.
        const int writers = 64;
        var perWriter = context.Pick(20, 3);
        Func<CancellationToken, Task> Writer(IVectorStore store, string prefix) => Measure.Numbered((n, ct) =>
            store.UpsertAsync(new UpsertRequest([new VectorRecord($"{prefix}-{n % (writers * 50)}") { Text = $"Benchmark dish {n} with rice and saffron." }]), ct));

        var primaryWrite = Writer(primaryOnly.Store, "cp");
        var dualWrite = Writer(dual.Store, "cd");
        await Measure.WarmUpAsync(writers, TimeSpan.FromMilliseconds(500), primaryWrite, cancellationToken);
        await Measure.WarmUpAsync(writers, TimeSpan.FromMilliseconds(500), dualWrite, cancellationToken);
        var primarySample = new LatencySample();
        var dualSample = new LatencySample();
        await Measure.InterleaveAsync(context.Pick(4, 2),
            async _ => primarySample.Add(await Measure.LoadAsync(writers, perWriter, primaryWrite, cancellationToken)),
            async _ => dualSample.Add(await Measure.LoadAsync(writers, perWriter, dualWrite, cancellationToken)),
            cancellationToken);
        const string concurrentName = "upserts, WriteMode Dual, 64 writers";
        const string concurrentBaseline = "WriteMode Primary, 64 writers";
        return
        [
            new(Name, "upserts, WriteMode Dual (journal for the fallback)", "throughput", dualRate, "writes/s")
            {
                Baseline = primaryRate,
                BaselineName = "WriteMode Primary",
                Note = $"one record per upsert, sequential, {count} per round: a lone writer waits for one journal fsync per write",
            },
            new(Name, concurrentName, "throughput", dualSample.Throughput, "writes/s")
            {
                Baseline = primarySample.Throughput,
                BaselineName = concurrentBaseline,
                Note = $"one record per upsert, {dualSample.Count} / {primarySample.Count} calls; journal appends group-committed",
            },
            new(Name, concurrentName, "p99", dualSample.Percentile(99), "ms") { Baseline = primarySample.Percentile(99), BaselineName = concurrentBaseline },
        ];
    }

    private static async Task<double> WriteRateAsync(IVectorStore store, string prefix, int count, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await store.UpsertAsync(new UpsertRequest([new VectorRecord($"{prefix}-{i % 50}") { Text = $"Benchmark dish {i} with rice and saffron." }]), cancellationToken);
        }

        return count / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task<BenchmarkRow> BlackHoleReadsAsync(BenchmarkContext context, RunningEmulator emulator, IVectorStore upstash, IVectorStore sqlite, CancellationToken cancellationToken)
    {
        // The same records in both stores, in a namespace of their own, so every query scores real candidates.
        var records = Enumerable.Range(0, context.Pick(2000, 500))
            .Select(i => new VectorRecord($"food-{i}") { Text = $"Dish {i} is a {(i % 3 == 0 ? "rice" : "noodle")} dish from region {i % 17} with spice {i % 11}." })
            .ToList();
        foreach (var batch in records.Chunk(100))
        {
            await upstash.UpsertAsync(new UpsertRequest(batch) { Namespace = "reads" }, cancellationToken);
            await sqlite.UpsertAsync(new UpsertRequest(batch) { Namespace = "reads" }, cancellationToken);
        }

        using var composed = FallbackComposition.Create(upstash, sqlite, new FallbackVectorStoreOptions());
        await composed.Failover.VerifyEmbeddingSpacesAsync(cancellationToken);
        var query = VectorQuery.ForText("rice dish with saffron", 3) with { Namespace = "reads" };
        // Warm the primary's latency window while it is healthy.
        for (var i = 0; i < 50; i++)
        {
            await composed.Store.QueryAsync(query, cancellationToken);
        }

        emulator.Admin.Faults = new FaultSettings { BlackHole = true };
        var seconds = context.Pick(60, 5);
        var failover = new LatencySample();
        var direct = new LatencySample();
        try
        {
            // One-second slices, alternating, so that both sides see the same machine over the same minute.
            await Measure.InterleaveAsync(seconds,
                async _ => failover.Add(await ForAsync(composed.Store, query, cancellationToken)),
                async _ => direct.Add(await ForAsync(sqlite, query, cancellationToken)),
                cancellationToken);
        }
        finally
        {
            emulator.Admin.Faults = new FaultSettings();
        }

        return new(Name, $"query p99, first {seconds} s of a primary black hole", "p99", failover.Percentile(99), "ms")
        {
            Baseline = direct.Percentile(99),
            BaselineName = "fallback queried directly",
            Target = BenchmarkTarget.RatioAtMost(1.5),
            Note = $"4 concurrent readers; {failover.Count} failover / {direct.Count} direct reads; default hedge floor/ceiling and breaker",
        };
    }

    private static async Task<LatencySample> ForAsync(IVectorStore store, VectorQuery query, CancellationToken cancellationToken)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var total = System.Diagnostics.Stopwatch.StartNew();
        using var slice = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        slice.CancelAfter(TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!slice.IsCancellationRequested)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await store.QueryAsync(query, cancellationToken);
                latencies.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }, cancellationToken)));
        return new LatencySample(latencies, total.Elapsed);
    }
}
