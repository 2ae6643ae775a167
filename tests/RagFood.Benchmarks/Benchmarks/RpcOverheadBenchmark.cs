using RagFood.Benchmarks.Harness;
using RagFood.Client;
using RagFood.Contracts.V1;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>The Query RPC against the Ping RPC (which does no work) on the same server with the same client.</summary>
/// <remarks>Rounds of Query and Ping alternate, so both see the same machine. At concurrency 1 the p50 ratio is the
/// cost of the query itself; at concurrency 32 the throughput ratio says how much of the machine a query takes (client
/// and server share it). The targets apply to the Query RPC's default answer, top 10 with text and metadata; a top-3
/// run (what the RAG pipeline retrieves) is reported beside it without a target, to show how the cost grows with
/// the size of the answer.</remarks>
internal sealed class RpcOverheadBenchmark : IBenchmark
{
    private static readonly string[] Questions =
    [
        "spicy rice dish from India", "sweet dessert with honey", "noodle soup", "grilled meat street food",
        "fermented vegetables", "flaky pastry with butter", "fish and seaweed", "chocolate cake",
    ];

    public string Name => "rpc-overhead";

    public string Description => "Query RPC (top 10; top 3 beside it) vs Ping RPC, same server and client, concurrency 1 and 32: req/s, p50, p99.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var server = await ServerSupport.StartWithCorpusAsync(context, cancellationToken);
        using var client = RagFoodClient.Create(server.Address.OriginalString, o => o.DefaultDeadline = TimeSpan.FromMinutes(1));
        var records = (await client.InfoAsync(cancellationToken)).VectorCount;
        var next = 0;
        Task Ping(CancellationToken ct) => client.PingAsync("", ct);

        var rows = new List<BenchmarkRow>();
        foreach (var (concurrency, topK) in new[] { (1, 10), (32, 10), (32, 3) })
        {
            Task Query(CancellationToken ct) => client.QueryAsync(
                new QueryRequest { Text = Questions[Interlocked.Increment(ref next) % Questions.Length], TopK = topK }, ct);
            var targeted = topK == 10;

            // Sized so a loaded 2-core machine finishes in about a minute: c=1 300 calls a round, c=32 1,600 a round.
            var perWorker = context.Pick(concurrency == 1 ? 300 : 50, concurrency == 1 ? 30 : 5);
            // Warm-up by time, not by count: tiered JIT (with dynamic PGO) recompiles the hot paths of both processes
            // in the background for a second or more, and a round measured during that pays for the compiler too.
            var warmUp = context.Pick(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
            await Measure.WarmUpAsync(concurrency, warmUp, Query, cancellationToken);
            await Measure.WarmUpAsync(concurrency, warmUp, Ping, cancellationToken);

            var query = new LatencySample();
            var ping = new LatencySample();
            await Measure.InterleaveAsync(
                context.Pick(10, 2),
                async _ => query.Add(await Measure.LoadAsync(concurrency, perWorker, Query, cancellationToken)),
                async _ => ping.Add(await Measure.LoadAsync(concurrency, perWorker, Ping, cancellationToken)),
                cancellationToken);

            var name = $"Query top-{topK} c={concurrency}";
            var baseline = $"Ping c={concurrency}";
            var note = $"{records} records, top {topK} by text with text and metadata, {query.Count} queries / {ping.Count} pings";
            rows.Add(new(Name, name, "throughput", query.Throughput, "req/s")
            {
                Baseline = ping.Throughput,
                BaselineName = baseline,
                Target = targeted && concurrency == 32 ? BenchmarkTarget.RatioAtLeast(0.5) : null,
                Note = note,
            });
            rows.Add(new(Name, name, "p50", query.Percentile(50), "ms")
            {
                Baseline = ping.Percentile(50),
                BaselineName = baseline,
                Target = targeted && concurrency == 1 ? BenchmarkTarget.RatioAtMost(2.0) : null,
            });
            rows.Add(new(Name, name, "p99", query.Percentile(99), "ms") { Baseline = ping.Percentile(99), BaselineName = baseline });
        }

        return rows;
    }
}
