using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Chroma;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>RagFood's Chroma provider against the official <c>chromadb</c> JS client on the same real Chroma server.</summary>
/// <remarks>
/// Both sides write the same records (1024-d unit vectors, document, two metadata fields) in batches of the same size
/// and then run the same vector queries (top 10, documents and metadata included). Rounds are interleaved, each side
/// into its own fresh collection. The JS side runs as a child process (tests/RagFood.Benchmarks/node/chroma-bench.mjs)
/// and times itself from client creation to its last call, so node's start-up is not counted against it; the .NET
/// side is timed the same way, from building a fresh store. The provider does a little more per write batch than the
/// JS client (a <c>get</c> of the ids first, because RagFood's upsert replaces metadata while Chroma's merges it).
/// </remarks>
internal sealed class ChromaClientBenchmark : IBenchmark
{
    private const int Dimension = 1024;
    private const int BatchSize = 100;
    private const int TopK = 10;

    public string Name => "chroma-client";

    public string Description => "Chroma add and query throughput: RagFood's provider vs the official chromadb JS client, same server, vectors and batch size.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var recordCount = context.Pick(2000, 200);
        var queryCount = context.Pick(200, 20);
        var rounds = context.Pick(4, 2);
        var data = VectorDataset.Create(recordCount, queryCount, Dimension);
        var dataFile = Path.Combine(context.CreateDirectory("chroma-data"), "data.json");
        await File.WriteAllTextAsync(dataFile, data.ToJson("documents"), cancellationToken);
        var script = Path.Combine(context.RepoRoot, "tests", "RagFood.Benchmarks", "node", "chroma-bench.mjs");

        await using var server = await ChromaServer.StartAsync(context.CreateDirectory("chroma-server"));
        context.Log.WriteLine($"   chroma at {server.Url}; {recordCount} records x {Dimension}-d, batch {BatchSize}, {queryCount} queries, {rounds} rounds");

        var note = $"{recordCount} records x {Dimension}-d, batch {BatchSize}, top {TopK}, {rounds} interleaved rounds";
        return await ClientComparison.RunAsync(context, Name, "chroma", "chromadb JS", rounds, recordCount, queryCount, note,
            round => RunDotnetAsync(server.Url, "net" + round, data, cancellationToken),
            async round => (
                await RunNodeAsync(context.RepoRoot, script, server.Url, "js" + round, "add", dataFile, cancellationToken),
                await RunNodeAsync(context.RepoRoot, script, server.Url, "js" + round, "query", dataFile, cancellationToken)),
            cancellationToken);
    }

    private static async Task<(double AddSeconds, double QuerySeconds)> RunDotnetAsync(Uri url, string collection, VectorDataset data, CancellationToken cancellationToken)
    {
        var add = Stopwatch.StartNew();
        await using (var services = BuildStore(url, collection, out var store))
        {
            for (var start = 0; start < data.Records.Count; start += BatchSize)
            {
                var batch = data.Records.Skip(start).Take(BatchSize).ToList();
                await store.UpsertAsync(new UpsertRequest(batch), cancellationToken);
            }
        }

        add.Stop();
        var query = Stopwatch.StartNew();
        await using (var services = BuildStore(url, collection, out var store))
        {
            foreach (var vector in data.Queries)
            {
                var matches = await store.QueryAsync(new VectorQuery { Vector = vector, TopK = TopK }, cancellationToken);
                if (matches.Count == 0)
                {
                    throw new InvalidOperationException("query returned nothing");
                }
            }
        }

        query.Stop();
        return (add.Elapsed.TotalSeconds, query.Elapsed.TotalSeconds);
    }

    private static ServiceProvider BuildStore(Uri url, string collection, out IVectorStore store)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new HashingEmbeddingGenerator(Dimension));
        services.AddChromaVectorStore(o =>
        {
            o.Url = url;
            o.Collection = collection;
            o.BatchSize = BatchSize;
        });
        var provider = services.BuildServiceProvider();
        store = provider.GetRequiredKeyedService<IVectorStore>(ChromaVectorStore.ProviderName);
        return provider;
    }

    private static Task<double> RunNodeAsync(string repoRoot, string script, Uri url, string collection, string op, string dataFile, CancellationToken cancellationToken)
        => NodeScript.RunTimedAsync(script, ["--root", repoRoot, "--url", url.ToString(), "--collection", collection, "--op", op, "--data", dataFile,
                     "--batch", BatchSize.ToString(CultureInfo.InvariantCulture), "--topk", TopK.ToString(CultureInfo.InvariantCulture)], cancellationToken);
}
