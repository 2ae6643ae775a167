using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Durable;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Chroma;
using RagFood.Providers.Upstash;
using RagFood.Transfer;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;
using RagFood.UpstashEmulator;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Migration throughput Chroma → Upstash (emulator), RagFood's engine against the users' plan done by hand with
/// the official JS clients (chromadb <c>get</c> in pages of 1000 → <c>@upstash/vector</c> upsert in batches of 100).</summary>
/// <remarks>Both sides read the same real Chroma collection and write into a fresh emulator namespace per round, rounds
/// interleaved. RagFood's side includes what the hand-written plan does not do: a durable checkpoint after every
/// batch (SQLite, synchronous=FULL). Verification is timed separately, not in the throughput. The JS side runs as a
/// child process (node/migrate-bench.mjs) and times itself from client creation to its last upsert.</remarks>
internal sealed class MigrationBenchmark : IBenchmark
{
    private const int Dimension = 1024;
    private const int BatchSize = 100;

    public string Name => "migration";

    public string Description => "Chroma → Upstash migration throughput per mode: RagFood's engine vs chromadb get + @upstash/vector upsert (JS) on the same servers.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var records = context.Pick(10_000, 500);
        var rounds = context.Pick(4, 2);
        var embedder = new HashingEmbeddingGenerator(Dimension);
        await using var chroma = await ChromaServer.StartAsync(context.CreateDirectory("migration-chroma"));
        var collection = "migration-bench";
        await using (var fill = BuildChroma(chroma.Url, collection, embedder, out var store))
        {
            var data = VectorDataset.Create(records, 0, Dimension);
            foreach (var chunk in data.Records.Chunk(500))
            {
                await store.UpsertAsync(new UpsertRequest(chunk), cancellationToken);
            }
        }

        // "builtin" makes the emulator report the same embedding space as the Chroma collection, so vectors mode is allowed.
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = Dimension, EmbeddingModel = "builtin" }, cancellationToken: cancellationToken);
        context.Log.WriteLine($"   chroma at {chroma.Url}, emulator at {emulator.Url}; {records} records x {Dimension}-d, batch {BatchSize}, {rounds} rounds");
        var script = Path.Combine(context.RepoRoot, "tests", "RagFood.Benchmarks", "node", "migrate-bench.mjs");
        var rows = new List<BenchmarkRow>();
        foreach (var mode in new[] { TransferMode.Vectors, TransferMode.Text })
        {
            double ours = 0, theirs = 0;
            await Measure.InterleaveAsync(rounds,
                async round => ours += await RunEngineAsync(context, chroma.Url, collection, embedder, emulator, $"net-{mode}-{round}", mode, records, cancellationToken),
                async round => theirs += await NodeScript.RunTimedAsync(script,
                [
                    "--root", context.RepoRoot, "--chroma", chroma.Url.ToString(), "--collection", collection, "--url", emulator.Url, "--token", emulator.Token,
                    "--namespace", $"js-{mode}-{round}", "--mode", mode.ToString().ToLowerInvariant(), "--page", "1000", "--batch", BatchSize.ToString(CultureInfo.InvariantCulture),
                ], cancellationToken),
                cancellationToken);
            rows.Add(new(Name, $"migrate {mode.ToString().ToLowerInvariant()} mode (RagFood)", "throughput", rounds * records / ours, "records/s")
            {
                Baseline = rounds * records / theirs,
                BaselineName = "chromadb get + @upstash/vector upsert (JS)",
                Target = mode == TransferMode.Vectors ? BenchmarkTarget.RatioAtLeast(1.0) : null,
                Note = $"{records} records x {Dimension}-d, batch {BatchSize}, {rounds} interleaved rounds; RagFood checkpoints every batch",
            });
        }

        return rows;
    }

    private static async Task<double> RunEngineAsync(BenchmarkContext context, Uri chromaUrl, string collection, HashingEmbeddingGenerator embedder, RunningEmulator emulator, string ns, TransferMode mode, int expected, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await using var source = BuildChroma(chromaUrl, collection, embedder, out var chromaStore);
        await using var target = BuildUpstash(emulator, ns, out var upstashStore);
        await using var checkpoints = new SqliteMigrationCheckpointStore(Path.Combine(context.CreateDirectory("migration-checkpoints"), "checkpoints.db"));
        var engine = new MigrationEngine(checkpoints);
        long written = 0;
        await foreach (var e in engine.RunAsync(new MigrationPlan(new StoreRecordSource(chromaStore), new StoreRecordSink(upstashStore, 1000)) { Mode = mode, BatchSize = BatchSize }, cancellationToken))
        {
            written = e.Written;
        }

        started.Stop();
        if (written != expected)
        {
            throw new InvalidOperationException($"the migration wrote {written} of {expected} records");
        }

        return started.Elapsed.TotalSeconds;
    }

    internal static ServiceProvider BuildChroma(Uri url, string collection, IEmbeddingGenerator<string, Embedding<float>> embedder, out IVectorStore store)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(embedder);
        services.AddChromaVectorStore(o =>
        {
            o.Url = url;
            o.Collection = collection;
        });
        var provider = services.BuildServiceProvider();
        store = provider.GetRequiredKeyedService<IVectorStore>(ChromaVectorStore.ProviderName);
        return provider;
    }

    private static ServiceProvider BuildUpstash(RunningEmulator emulator, string ns, out IVectorStore store)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddUpstashVectorStore(o =>
        {
            o.Url = emulator.Url;
            o.Token = emulator.Token;
            // The default namespace of this store maps to the round's Upstash namespace.
            o.Namespace = ns;
        });
        var provider = services.BuildServiceProvider();
        store = provider.GetRequiredKeyedService<IVectorStore>(UpstashVectorStore.ProviderName);
        return provider;
    }
}
