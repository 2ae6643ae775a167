using RagFood.Benchmarks.Benchmarks;
using RagFood.Benchmarks.Harness;

namespace RagFood.Benchmarks;

/// <summary>Every benchmark the runner knows, in the order they run. Add a benchmark by adding a line here.</summary>
internal static class BenchmarkRegistry
{
    public static IReadOnlyList<IBenchmark> All { get; } =
    [
        new MemoryReadBenchmark(),
        new SqliteScanBenchmark(),
        new RpcOverheadBenchmark(),
        new IngestThroughputBenchmark(),
        new ServerMemoryBenchmark(),
        new LoadSoakBenchmark(),
        new GroupCommitBenchmark(),
        new ChromaClientBenchmark(),
        new UpstashClientBenchmark(),
        new FailoverBenchmark(),
        new MigrationBenchmark(),
        new MigrationMemoryBenchmark(),
    ];
}
