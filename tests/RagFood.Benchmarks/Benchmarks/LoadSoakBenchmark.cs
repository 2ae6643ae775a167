using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using RagFood.Benchmarks.Harness;
using RagFood.Client;
using RagFood.Contracts.V1;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Load and soak: N clients mixing Ask, Query, Fetch and Upsert against one server (loopback) for a fixed
/// time; errors by status, p50/p99 per method, requests/s, and the server's resident memory over time.</summary>
/// <remarks>
/// <para>Bounded in clients (≤ 256), time (≤ 1 hour) and data: each client upserts into its own 50 ids, so the store
/// stops growing early and a rising memory line means the server keeps something it should not. Memory is "flat" when
/// the mean RSS of the last window is at most 10% above that of the second one (the first holds warm-up and JIT);
/// windows are one minute from three minutes up, else a third of the run.</para>
/// <para>Settings: RAGFOOD_SOAK_CLIENTS (default 64; 8 with --quick), RAGFOOD_SOAK_SECONDS (default 180; 20 with --quick).</para>
/// </remarks>
internal sealed class LoadSoakBenchmark : IBenchmark
{
    private const int IdsPerClient = 50;
    private static readonly string[] Methods = ["Ask", "Query", "Fetch", "Upsert"];
    private static readonly string[] Questions = ServerSupport.Questions;

    public string Name => "soak";

    public string Description => "Load and soak: N clients mixing Ask/Query/Fetch/Upsert for a fixed time; errors by status, p50/p99 per method, req/s, server RSS over time.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var clients = Math.Clamp(Setting("RAGFOOD_SOAK_CLIENTS", context.Pick(64, 8)), 1, 256);
        var duration = TimeSpan.FromSeconds(Math.Clamp(Setting("RAGFOOD_SOAK_SECONDS", context.Pick(180, 20)), 6, 3600));
        context.Log.WriteLine($"   {clients} clients for {duration.TotalSeconds:0} s");
        await using var server = await ServerSupport.StartWithCorpusAsync(context, cancellationToken);

        List<string> corpusIds;
        using (var probe = RagFoodClient.Create(server.Address.OriginalString))
        {
            corpusIds = (await probe.RangeAsync(new RangeRequest { Limit = 200 }, cancellationToken)).Records.Select(r => r.Id).ToList();
        }

        var latencies = Methods.ToDictionary(m => m, _ => new ConcurrentBag<double>());
        var statuses = new ConcurrentDictionary<string, long>();
        var memory = new List<(double Seconds, double Megabytes)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var elapsed = Stopwatch.StartNew();

        var sampler = Task.Run(async () =>
        {
            var interval = TimeSpan.FromSeconds(duration.TotalSeconds >= 180 ? 5 : 1);
            while (!stop.IsCancellationRequested)
            {
                memory.Add((elapsed.Elapsed.TotalSeconds, ProcessMemory.ResidentMegabytes(server.ProcessId)));
                try
                {
                    await Task.Delay(interval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            using var rag = RagFoodClient.Create(server.Address.OriginalString, o =>
            {
                o.MaxRetries = 0;
                o.RateLimitRetries = 0;
                o.DefaultDeadline = TimeSpan.FromSeconds(30);
            });
            var random = new Random(client);
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var pick = random.Next(100);
                var method = pick < 20 ? "Ask" : pick < 60 ? "Query" : pick < 85 ? "Fetch" : "Upsert";
                var start = Stopwatch.GetTimestamp();
                string status;
                try
                {
                    await CallAsync(rag, method, client, n++, random, corpusIds, stop.Token);
                    status = "OK";
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (RagFoodException ex)
                {
                    status = ex.StatusCode.ToString();
                }

                latencies[method].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                statuses.AddOrUpdate($"{method} {status}", 1, (_, c) => c + 1);
            }
        }, CancellationToken.None)).ToList();

        await Task.WhenAll(workers);
        var wall = elapsed.Elapsed;
        await sampler;
        return Rows(clients, duration, wall, latencies, statuses, memory);
    }

    private static Task CallAsync(RagFoodClient client, string method, int worker, int n, Random random, List<string> corpusIds, CancellationToken cancellationToken) => method switch
    {
        "Ask" => client.AskAsync(new AskRequest { Question = Questions[random.Next(Questions.Length)] }, cancellationToken),
        "Query" => client.QueryAsync(new QueryRequest { Text = Questions[random.Next(Questions.Length)], TopK = 10 }, cancellationToken),
        "Fetch" => client.FetchAsync(new FetchRequest { Ids = { corpusIds[random.Next(corpusIds.Count)], corpusIds[random.Next(corpusIds.Count)], $"soak-{worker}-{random.Next(IdsPerClient)}" } }, cancellationToken),
        _ => client.UpsertAsync(new UpsertRequest
        {
            Records =
            {
                new VectorRecord
                {
                    Id = $"soak-{worker}-{n % IdsPerClient}",
                    Text = $"soak record {n} from client {worker}: {Questions[random.Next(Questions.Length)]}",
                },
            },
        }, cancellationToken),
    };

    private List<BenchmarkRow> Rows(
        int clients, TimeSpan duration, TimeSpan wall, Dictionary<string, ConcurrentBag<double>> latencies, ConcurrentDictionary<string, long> statuses, List<(double Seconds, double Megabytes)> memory)
    {
        var rows = new List<BenchmarkRow>();
        var setting = $"{clients} clients, {duration.TotalSeconds:0} s, mix Ask 20% / Query 40% / Fetch 25% / Upsert 15%";
        var total = latencies.Values.Sum(l => l.Count);
        rows.Add(new(Name, "all methods", "throughput", total / wall.TotalSeconds, "req/s") { Note = setting });
        foreach (var method in Methods)
        {
            var sample = new LatencySample(latencies[method], wall);
            rows.Add(new(Name, method, "p50", sample.Percentile(50), "ms") { Note = $"{sample.Count} calls, {sample.Throughput:0} req/s" });
            rows.Add(new(Name, method, "p99", sample.Percentile(99), "ms"));
        }

        var errors = statuses.Where(s => !s.Key.EndsWith(" OK", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        rows.Add(new(Name, "errors", "calls", errors.Sum(e => e.Value), "calls")
        {
            Target = BenchmarkTarget.ValueAtMost(0),
            Note = errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}")),
        });

        var window = duration.TotalSeconds >= 180 ? 60 : duration.TotalSeconds / 3;
        var windows = (int)Math.Floor(wall.TotalSeconds / window);
        double Mean(int index) => memory.Where(m => m.Seconds >= index * window && m.Seconds < (index + 1) * window).Select(m => m.Megabytes).DefaultIfEmpty(double.NaN).Average();
        for (var i = 0; i < windows; i++)
        {
            rows.Add(new(Name, $"server RSS, window {i + 1} ({i * window:0}-{(i + 1) * window:0} s)", "mean", Mean(i), "MB"));
        }

        if (windows >= 3)
        {
            rows.Add(new(Name, "server RSS growth, last window vs second", "mean", Mean(windows - 1), "MB")
            {
                Baseline = Mean(1),
                BaselineName = "second window",
                Target = BenchmarkTarget.RatioAtMost(1.10),
                Note = $"{memory.Count} samples, peak {memory.Max(m => m.Megabytes):0.0} MB",
            });
        }

        return rows;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
