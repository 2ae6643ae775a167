using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.Options;
using RagFood.Benchmarks.Harness;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Sqlite;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>The SQLite store's exact scan against a plain memory-read pass over the very same vector bytes.</summary>
/// <remarks>Both sides run in this process on the same arrays, interleaved round by round, so the ratio says how close
/// the scan comes to the machine's memory speed regardless of how fast or busy the machine is.</remarks>
internal sealed class SqliteScanBenchmark : IBenchmark
{
    private const int Dimension = 1024;

    public string Name => "sqlite-scan";

    public string Description => "SQLite store exact scan of N × 1024-d vectors vs a memory-read pass over the same bytes; query time; RSS.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Pick(100_000, 10_000);
        var directory = context.CreateDirectory("sqlite-scan");
        var options = Options.Create(new SqliteVectorStoreOptions { Path = Path.Combine(directory, "scan.db") });
        await using var store = new SqliteVectorStore(options, new HashingEmbeddingGenerator(Dimension));

        context.Log.WriteLine($"   loading {count:N0} × {Dimension}-d vectors");
        var random = new Random(42);
        var load = Stopwatch.StartNew();
        for (var offset = 0; offset < count; offset += VectorStoreLimits.MaxBatchSize)
        {
            var records = new List<VectorRecord>(VectorStoreLimits.MaxBatchSize);
            for (var i = offset; i < Math.Min(count, offset + VectorStoreLimits.MaxBatchSize); i++)
            {
                records.Add(new VectorRecord($"v{i}") { Vector = RandomUnitVector(random) });
            }

            await store.UpsertAsync(new UpsertRequest(records), cancellationToken);
        }

        load.Stop();
        var index = await store.GetIndexForBenchmarkAsync("", cancellationToken)
            ?? throw new InvalidOperationException("The default namespace has no index after loading.");
        var query = RandomUnitVector(random);
        var bytes = (double)index.SlotCount * Dimension * sizeof(float);

        // Warm both paths (JIT, page faults) before timing.
        var sink = index.RawScan(query) + MemoryPass(index);
        var scanSeconds = new List<double>();
        var readSeconds = new List<double>();
        await Measure.InterleaveAsync(
            context.Pick(21, 5),
            _ =>
            {
                var start = Stopwatch.GetTimestamp();
                sink += index.RawScan(query);
                scanSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                return Task.CompletedTask;
            },
            _ =>
            {
                var start = Stopwatch.GetTimestamp();
                sink += MemoryPass(index);
                readSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                return Task.CompletedTask;
            },
            cancellationToken);

        // The full query path: argument checks, scan with a top-k heap, record materialisation.
        var vectorQuery = VectorQuery.ForVector(query, 10) with { Include = Include.None };
        var queryLatency = await TimeQueriesAsync(store, vectorQuery, context.Pick(21, 5), cancellationToken);

        // A text question through the built-in embedder: its vector has a few dozen non-zeros, so the column scan reads
        // only those columns of every chunk. The records stay dense random vectors, the worst case for everything else.
        const string question = "spicy noodle soup with pork";
        var textQuery = VectorQuery.ForText(question, 10) with { Include = Include.None };
        var textLatency = await TimeQueriesAsync(store, textQuery, context.Pick(201, 21), cancellationToken);

        var nonZeros = NonZeros(question);
        var scanGbps = bytes / Median(scanSeconds) / 1e9;
        var readGbps = bytes / Median(readSeconds) / 1e9;
        var label = $"{count / 1000}k × {Dimension}";
        GC.KeepAlive(sink);
        return
        [
            new(Name, $"exact scan {label}", "bytes/s (median)", scanGbps, "GB/s")
            {
                Baseline = readGbps,
                BaselineName = "memory-read pass, same bytes",
                Target = BenchmarkTarget.RatioAtLeast(0.7),
                Note = $"{bytes / 1e6:0} MB of vectors; scan {Median(scanSeconds) * 1000:0.0} ms vs read {Median(readSeconds) * 1000:0.0} ms per pass",
            },
            new(Name, $"query top-10 {label}", "time per query (median)", Median(queryLatency), "ms") { Note = "dense query vector" },
            new(Name, $"text query top-10 {label}", "time per query (median)", Median(textLatency), "ms")
            {
                Note = $"'{question}' embedded by the built-in embedder: {nonZeros} of {Dimension} coordinates non-zero",
            },
            new(Name, $"load {label}", "upsert throughput", count / load.Elapsed.TotalSeconds, "records/s"),
            new(Name, $"process after load {label}", "resident memory", ProcessMemory.CurrentResidentMegabytes(), "MB"),
        ];
    }

    /// <summary>Reads every vector float in use once (a vectorised sum): the least work any scan must do.</summary>
    /// <remarks>Chunks are dimension-major: a chunk holding <c>rows</c> slots uses the first <c>rows</c> floats of each
    /// of its <c>Dimension</c> columns. When those fill the columns (every full chunk) they are one contiguous run.</remarks>
    private static float MemoryPass(Providers.Sqlite.Internal.NamespaceIndex index)
    {
        var sum = 0f;
        for (var chunkIndex = 0; chunkIndex < index.Chunks.Length; chunkIndex++)
        {
            var chunk = index.Chunks[chunkIndex];
            var rows = index.ChunkRows(chunkIndex);
            var stride = index.ChunkStride(chunkIndex);
            if (rows == stride)
            {
                sum += TensorPrimitives.Sum(chunk.AsSpan(0, rows * index.Dimension));
                continue;
            }

            for (var d = 0; d < index.Dimension; d++)
            {
                sum += TensorPrimitives.Sum(chunk.AsSpan(d * stride, rows));
            }
        }

        return sum;
    }

    /// <summary>One untimed query (JIT, caches), then the latency in ms of each of <paramref name="count"/> more.</summary>
    private static async Task<List<double>> TimeQueriesAsync(SqliteVectorStore store, VectorQuery query, int count, CancellationToken cancellationToken)
    {
        await store.QueryAsync(query, cancellationToken);
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await store.QueryAsync(query, cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    private static int NonZeros(string text)
    {
        using var embedder = new HashingEmbeddingGenerator(Dimension);
        return embedder.Embed(text).Count(v => v != 0f);
    }

    private static float[] RandomUnitVector(Random random)
    {
        var vector = new float[Dimension];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
