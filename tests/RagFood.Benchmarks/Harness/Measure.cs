using System.Diagnostics;

namespace RagFood.Benchmarks.Harness;

/// <summary>Timing helpers shared by the benchmarks.</summary>
internal static class Measure
{
    /// <summary>An operation that gets a new number (1, 2, …) on each call, shared by every worker running it, so
    /// that concurrent workers write distinct records.</summary>
    public static Func<CancellationToken, Task> Numbered(Func<int, CancellationToken, Task> operation)
    {
        var next = 0;
        return ct => operation(Interlocked.Increment(ref next), ct);
    }

    /// <summary>Runs <paramref name="rounds"/> rounds of A then B (A and B swap order every round), so that slow
    /// phases of a noisy machine land on both sides.</summary>
    public static async Task InterleaveAsync(int rounds, Func<int, Task> a, Func<int, Task> b, CancellationToken cancellationToken)
    {
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (round % 2 == 0)
            {
                await a(round);
                await b(round);
            }
            else
            {
                await b(round);
                await a(round);
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> with <paramref name="concurrency"/> workers until
    /// <paramref name="duration"/> has passed, recording nothing: JIT tiering, connection set-up and caches.</summary>
    public static async Task WarmUpAsync(int concurrency, TimeSpan duration, Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (elapsed.Elapsed < duration)
                {
                    await operation(cancellationToken);
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers);
    }

    /// <summary>Runs <paramref name="operation"/> with <paramref name="concurrency"/> workers for
    /// <paramref name="operationsPerWorker"/> operations each and records every latency.</summary>
    public static async Task<LatencySample> LoadAsync(int concurrency, int operationsPerWorker, Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var latencies = new double[concurrency * operationsPerWorker];
        var total = Stopwatch.StartNew();
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var offset = w * operationsPerWorker;
            workers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < operationsPerWorker; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await operation(cancellationToken);
                    latencies[offset + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers);
        return new LatencySample(latencies, total.Elapsed);
    }
}

/// <summary>Latencies (ms) of a batch of operations and the wall time they took together.</summary>
internal sealed class LatencySample
{
    private readonly List<double> _latencies = [];

    public LatencySample()
    {
    }

    public LatencySample(IEnumerable<double> latencies, TimeSpan elapsed)
    {
        _latencies.AddRange(latencies);
        Elapsed = elapsed;
    }

    public TimeSpan Elapsed { get; private set; }

    public int Count => _latencies.Count;

    /// <summary>Operations per second over the summed wall time.</summary>
    public double Throughput => Elapsed > TimeSpan.Zero ? Count / Elapsed.TotalSeconds : 0;

    /// <summary>Merges another round into this sample.</summary>
    public void Add(LatencySample other)
    {
        _latencies.AddRange(other._latencies);
        Elapsed += other.Elapsed;
    }

    /// <summary>Nearest-rank percentile, <paramref name="p"/> in (0, 100].</summary>
    public double Percentile(double p)
    {
        if (_latencies.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _latencies.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
