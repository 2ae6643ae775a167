using RagFood.Benchmarks.Harness;
using RagFood.Client;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Resident memory of the server process at idle, with the shipped corpus loaded and a few queries served.</summary>
internal sealed class ServerMemoryBenchmark : IBenchmark
{
    public string Name => "server-memory";

    public string Description => "Server resident memory (VmRSS) at idle with the corpus loaded, as a separate process.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var server = await ServerSupport.StartWithCorpusAsync(context, cancellationToken);
        var ready = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        using (var client = RagFoodClient.Create(server.Address.OriginalString))
        {
            // A few real calls so the number includes what serving needs, not only what starting needs.
            for (var i = 0; i < 20; i++)
            {
                await client.QueryAsync("rice dish", 3, cancellationToken);
                await client.AskAsync("What is a good dessert?", cancellationToken);
            }
        }

        await Task.Delay(context.Pick(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)), cancellationToken);
        var rss = ProcessMemory.ResidentMegabytes(server.ProcessId);
        return
        [
            new(Name, "server idle, corpus loaded", "resident memory", rss, "MB")
            {
                Target = BenchmarkTarget.ValueAtMost(150),
                Note = $"VmRSS from /proc after 20 queries + 20 answers and an idle pause; ready (corpus ingested) after {ready.TotalSeconds:0.0} s",
            },
        ];
    }
}
