using RagFood.Benchmarks.Harness;
using RagFood.Client;
using RagFood.Contracts.V1;
using RagFood.Core.Embeddings;
using RagFood.Providers.Tests.Chroma;
using RagFood.Testing;
using RagFood.UpstashEmulator;
using Stores = RagFood.Core.VectorStores;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Peak resident memory of the server process while it migrates a large Chroma collection into Upstash (the
/// emulator) over the Migrate RPC, above the same process at idle just before.</summary>
/// <remarks>The server runs as a separate process with Upstash primary and Chroma fallback (one embedding space); the
/// migration copies the fallback into the primary in vectors mode and verifies at the end. VmRSS is sampled every
/// 100 ms from /proc.</remarks>
internal sealed class MigrationMemoryBenchmark : IBenchmark
{
    private const int Dimension = 1024;

    public string Name => "migration-memory";

    public string Description => "Server resident memory while migrating 100,000 records Chroma → Upstash (vectors mode, verify included), above idle.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var records = context.Pick(100_000, 2_000);
        var embedder = new HashingEmbeddingGenerator(Dimension);
        await using var chroma = await ChromaServer.StartAsync(context.CreateDirectory("migration-memory-chroma"));
        const string collection = "foods";
        context.Log.WriteLine($"   filling chroma with {records} records x {Dimension}-d");
        await using (var fill = MigrationBenchmark.BuildChroma(chroma.Url, collection, embedder, out var store))
        {
            var data = VectorDataset.Create(records, 0, Dimension);
            foreach (var chunk in data.Records.Chunk(1000))
            {
                await store.UpsertAsync(new Stores.UpsertRequest(chunk), cancellationToken);
            }
        }

        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = Dimension, EmbeddingModel = "builtin" }, cancellationToken: cancellationToken);
        await using var server = await ServerProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["VectorStore__Provider"] = "Upstash",
                ["VectorStore__Upstash__Url"] = emulator.Url,
                ["VectorStore__Upstash__Token"] = emulator.Token,
                ["VectorStore__Fallback"] = "Chroma",
                ["VectorStore__Chroma__Url"] = chroma.Url.ToString(),
                ["VectorStore__Chroma__Collection"] = collection,
                ["Ingestion__OnStart"] = "false",
                ["Ollama__Url"] = "",
            },
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: cancellationToken);
        await Task.Delay(context.Pick(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), cancellationToken);
        var idle = ProcessMemory.ResidentMegabytes(server.ProcessId);

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var peak = idle;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessMemory.ResidentMegabytes(server.ProcessId));
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);
        TransferSummary? summary = null;
        using (var client = RagFoodClient.Create(server.Address.OriginalString))
        {
            await foreach (var e in client.MigrateAsync(new MigrateRequest
            {
                Source = new TransferEndpoint { Store = "fallback" },
                Target = new TransferEndpoint { Store = "primary" },
                Mode = TransferMode.Vectors,
                BatchSize = 100,
            }, cancellationToken))
            {
                summary = e.Summary ?? summary;
            }
        }

        await sampling.CancelAsync();
        await sampler;
        // Counts, ids and hashes must match; stored-vector overlap is reported (Chroma's HNSW is approximate on random vectors).
        if (summary is null || summary.Written != records || summary.Verification is not { } report
            || report.Namespaces.Any(n => n.MissingCount + n.ExtraCount + n.ChangedCount > 0 || n.ExpectedCount != n.ActualCount))
        {
            throw new InvalidOperationException($"the migration did not copy every record exactly: {summary}");
        }

        return
        [
            new(Name, $"migrate {records:N0} records (server process)", "peak RSS above idle", peak - idle, "MB")
            {
                Target = BenchmarkTarget.ValueAtMost(300),
                Note = $"idle {idle:0} MB, peak {peak:0} MB; vectors mode, batch 100, verify included ({summary.ElapsedSeconds:0.0} s, overlap@10 {summary.Verification.Vectors?.OverlapAt10:0.000})",
            },
        ];
    }
}
