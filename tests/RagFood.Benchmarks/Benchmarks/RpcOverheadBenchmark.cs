using Grpc.Core;
using Grpc.Net.Client;
using RagFood.Benchmarks.Harness;
using RagFood.Contracts.V1;
using RagFood.Server.Grpc;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>The Query RPC against a bare RPC that returns a prebuilt answer of the same size and shape (the server's
/// query baseline, <c>Edge:EnableQueryBaseline</c>), and against Ping (which returns nothing), on one server and one
/// channel.</summary>
/// <remarks>Rounds of Query, baseline and Ping rotate, so all three see the same machine. The baseline answers with the
/// very response Query gave for the same question (loaded before the run), so its cost is gRPC, HTTP/2 and the
/// serialisation of that answer: the Query/baseline ratio is the store's share. Targets: top 10 at concurrency 32
/// ≥ 0.8× the baseline's throughput; at concurrency 1 p50 ≤ 1.3× the baseline's. The Ping rows show what the answer's
/// size costs; the top-3 run (what the RAG pipeline retrieves) is reported without a target.</remarks>
internal sealed class RpcOverheadBenchmark : IBenchmark
{
    private static readonly string[] Questions = ServerSupport.Questions;

    public string Name => "rpc-overhead";

    public string Description => "Query RPC (top 10; top 3 beside it) vs a bare RPC returning the same answer prebuilt, and vs Ping; concurrency 1 and 32: req/s, p50, p99.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var server = await ServerSupport.StartWithCorpusAsync(
            context, cancellationToken, new Dictionary<string, string> { ["Edge__EnableQueryBaseline"] = "true" });
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        var invoker = channel.CreateCallInvoker();
        var vectors = new VectorService.VectorServiceClient(invoker);
        var diagnostics = new DiagnosticsService.DiagnosticsServiceClient(invoker);
        var records = (await vectors.InfoAsync(new InfoRequest(), cancellationToken: cancellationToken)).VectorCount;
        var answerBytes = new Dictionary<int, int>();
        foreach (var topK in new[] { 10, 3 })
        {
            var sizes = new List<int>();
            foreach (var question in Questions)
            {
                var answer = await vectors.QueryAsync(new QueryRequest { Text = question, TopK = topK }, cancellationToken: cancellationToken);
                sizes.Add(answer.CalculateSize());
                var headers = new Metadata { { QueryBaselineService.KeyHeader, QueryBaselineService.KeyOf(topK, question) } };
                await invoker.AsyncUnaryCall(QueryBaselineService.LoadMethod, null, new CallOptions(headers, cancellationToken: cancellationToken), answer);
            }

            answerBytes[topK] = (int)sizes.Average();
        }

        var next = 0;
        Task Ping(CancellationToken ct) => diagnostics.PingAsync(new PingRequest(), cancellationToken: ct).ResponseAsync;

        var rows = new List<BenchmarkRow>();
        foreach (var (concurrency, topK) in new[] { (1, 10), (32, 10), (32, 3) })
        {
            QueryRequest NextRequest() => new() { Text = Questions[Interlocked.Increment(ref next) % Questions.Length], TopK = topK };
            Task Query(CancellationToken ct) => vectors.QueryAsync(NextRequest(), cancellationToken: ct).ResponseAsync;
            Task Baseline(CancellationToken ct) => invoker.AsyncUnaryCall(QueryBaselineService.QueryMethod, null, new CallOptions(cancellationToken: ct), NextRequest()).ResponseAsync;
            var targeted = topK == 10;

            // Sized so a loaded 2-core machine finishes in about a minute: c=1 300 calls a round, c=32 1,600 a round.
            var perWorker = context.Pick(concurrency == 1 ? 300 : 50, concurrency == 1 ? 30 : 5);
            // Warm-up by time, not by count: tiered JIT (with dynamic PGO) recompiles the hot paths of both processes
            // in the background for a second or more, and a round measured during that pays for the compiler too.
            var warmUp = context.Pick(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
            await Measure.WarmUpAsync(concurrency, warmUp, Query, cancellationToken);
            await Measure.WarmUpAsync(concurrency, warmUp, Baseline, cancellationToken);
            await Measure.WarmUpAsync(concurrency, warmUp, Ping, cancellationToken);

            var query = new LatencySample();
            var baseline = new LatencySample();
            var ping = new LatencySample();
            var rounds = context.Pick(10, 2);
            Func<Task>[] phases =
            [
                async () => query.Add(await Measure.LoadAsync(concurrency, perWorker, Query, cancellationToken)),
                async () => baseline.Add(await Measure.LoadAsync(concurrency, perWorker, Baseline, cancellationToken)),
                async () => ping.Add(await Measure.LoadAsync(concurrency, perWorker, Ping, cancellationToken)),
            ];
            for (var round = 0; round < rounds; round++)
            {
                for (var phase = 0; phase < phases.Length; phase++)
                {
                    await phases[(round + phase) % phases.Length]();
                }
            }

            var name = $"Query top-{topK} c={concurrency}";
            var baselineName = $"prebuilt top-{topK} answer c={concurrency}";
            var pingName = $"Ping c={concurrency}";
            var note = $"{records} records, top {topK} by text with text and metadata (~{answerBytes[topK]} B answer), {query.Count} queries / {baseline.Count} baseline / {ping.Count} pings";
            rows.Add(new(Name, name, "throughput", query.Throughput, "req/s")
            {
                Baseline = baseline.Throughput,
                BaselineName = baselineName,
                Target = targeted && concurrency == 32 ? BenchmarkTarget.RatioAtLeast(0.8) : null,
                Note = note,
            });
            rows.Add(new(Name, name, "p50", query.Percentile(50), "ms")
            {
                Baseline = baseline.Percentile(50),
                BaselineName = baselineName,
                Target = targeted && concurrency == 1 ? BenchmarkTarget.RatioAtMost(1.3) : null,
            });
            rows.Add(new(Name, name, "p99", query.Percentile(99), "ms") { Baseline = baseline.Percentile(99), BaselineName = baselineName });
            rows.Add(new(Name, name, "throughput", query.Throughput, "req/s") { Baseline = ping.Throughput, BaselineName = pingName });
            rows.Add(new(Name, name, "p50", query.Percentile(50), "ms") { Baseline = ping.Percentile(50), BaselineName = pingName });
        }

        return rows;
    }
}
