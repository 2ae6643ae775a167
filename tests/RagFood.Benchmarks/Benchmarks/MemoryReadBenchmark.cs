using System.Diagnostics;
using System.Numerics.Tensors;
using RagFood.Benchmarks.Harness;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>How fast this machine reads memory: the ceiling every scan is compared against.</summary>
internal sealed class MemoryReadBenchmark : IBenchmark
{
    public string Name => "memory-read";

    public string Description => "Sequential read bandwidth over a buffer far larger than the CPU caches.";

    public Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var floats = context.Pick(64, 16) * 1024 * 1024 / sizeof(float);
        var buffer = new float[floats];
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (i & 1023) * 0.001f;
        }

        var best = double.MaxValue;
        var sink = 0f;
        for (var round = 0; round < context.Pick(20, 3); round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            sink += MemoryPass(buffer);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        var gbPerSecond = buffer.Length * sizeof(float) / best / 1e9;
        IReadOnlyList<BenchmarkRow> rows =
        [
            new(Name, $"read {buffer.Length * sizeof(float) / (1024 * 1024)} MB", "bandwidth", gbPerSecond, "GB/s")
            {
                Note = $"best of rounds (checksum {sink:0})",
            },
        ];
        return Task.FromResult(rows);
    }

    /// <summary>Touches every float once (a vectorised sum), the least work a scan over the bytes can do.</summary>
    internal static float MemoryPass(ReadOnlySpan<float> data) => TensorPrimitives.Sum(data);
}
