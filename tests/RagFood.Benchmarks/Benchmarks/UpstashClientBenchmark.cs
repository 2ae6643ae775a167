using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Upstash;
using RagFood.UpstashEmulator;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>RagFood's Upstash provider against the official <c>@upstash/vector</c> JS client on the same emulator.</summary>
/// <remarks>
/// Both sides write the same records (1024-d unit vectors, data, two metadata fields) in batches of the same size and
/// then run the same vector queries (top 10, data and metadata included), each round into its own namespace, rounds
/// interleaved. The JS side runs as a child process (tests/RagFood.Benchmarks/node/upstash-bench.mjs) and times itself
/// from client creation to its last call; the .NET side is timed the same way, from building a fresh store (whose
/// first vector write also reads /info once to learn the dimension).
/// </remarks>
internal sealed class UpstashClientBenchmark : IBenchmark
{
    private const int Dimension = 1024;
    private const int BatchSize = 100;
    private const int TopK = 10;

    public string Name => "upstash-client";

    public string Description => "Upstash upsert and query throughput: RagFood's provider vs the official @upstash/vector JS client, same emulator, vectors and batch size.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var recordCount = context.Pick(2000, 200);
        var queryCount = context.Pick(200, 20);
        var rounds = context.Pick(4, 2);
        var data = VectorDataset.Create(recordCount, queryCount, Dimension);
        var dataFile = Path.Combine(context.CreateDirectory("upstash-data"), "data.json");
        await File.WriteAllTextAsync(dataFile, data.ToJson("data"), cancellationToken);
        var script = Path.Combine(context.RepoRoot, "tests", "RagFood.Benchmarks", "node", "upstash-bench.mjs");

        await using var server = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = Dimension, MaxTopK = 1000 }, cancellationToken: cancellationToken);
        context.Log.WriteLine($"   upstash emulator at {server.Url}; {recordCount} records x {Dimension}-d, batch {BatchSize}, {queryCount} queries, {rounds} rounds");

        var note = $"{recordCount} records x {Dimension}-d, batch {BatchSize}, top {TopK}, {rounds} interleaved rounds";
        return await ClientComparison.RunAsync(context, Name, "upstash", "@upstash/vector JS", rounds, recordCount, queryCount, note,
            round => RunDotnetAsync(server, "net" + round, data, cancellationToken),
            async round => (
                await RunNodeAsync(context.RepoRoot, script, server, "js" + round, "add", dataFile, cancellationToken),
                await RunNodeAsync(context.RepoRoot, script, server, "js" + round, "query", dataFile, cancellationToken)),
            cancellationToken);
    }

    private static async Task<(double AddSeconds, double QuerySeconds)> RunDotnetAsync(RunningEmulator url, string collection, VectorDataset data, CancellationToken cancellationToken)
    {
        var add = Stopwatch.StartNew();
        await using (var services = BuildStore(url, collection, out var store))
        {
            for (var start = 0; start < data.Records.Count; start += BatchSize)
            {
                var batch = data.Records.Skip(start).Take(BatchSize).ToList();
                await store.UpsertAsync(new UpsertRequest(batch) { Namespace = collection }, cancellationToken);
            }
        }

        add.Stop();
        var query = Stopwatch.StartNew();
        await using (var services = BuildStore(url, collection, out var store))
        {
            foreach (var vector in data.Queries)
            {
                var matches = await store.QueryAsync(new VectorQuery { Vector = vector, TopK = TopK, Namespace = collection }, cancellationToken);
                if (matches.Count == 0)
                {
                    throw new InvalidOperationException("query returned nothing");
                }
            }
        }

        query.Stop();
        return (add.Elapsed.TotalSeconds, query.Elapsed.TotalSeconds);
    }

    private static ServiceProvider BuildStore(RunningEmulator emulator, string collection, out IVectorStore store)
    {
        _ = collection;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddUpstashVectorStore(o =>
        {
            o.Url = emulator.Url;
            o.Token = emulator.Token;
            o.BatchSize = BatchSize;
        });
        var provider = services.BuildServiceProvider();
        store = provider.GetRequiredKeyedService<IVectorStore>(UpstashVectorStore.ProviderName);
        return provider;
    }

    private static Task<double> RunNodeAsync(string repoRoot, string script, RunningEmulator emulator, string collection, string op, string dataFile, CancellationToken cancellationToken)
        => NodeScript.RunTimedAsync(script, ["--root", repoRoot, "--url", emulator.Url, "--token", emulator.Token, "--namespace", collection, "--op", op, "--data", dataFile,
                     "--batch", BatchSize.ToString(CultureInfo.InvariantCulture), "--topk", TopK.ToString(CultureInfo.InvariantCulture)], cancellationToken);
}
