namespace RagFood.Benchmarks.Harness;

/// <summary>One benchmark: measures something and returns one or more table rows.</summary>
/// <remarks>
/// To add a benchmark, implement this interface and add an instance to <see cref="BenchmarkRegistry.All"/>.
/// Compare side by side: measure the thing and its baseline in the same run, interleaving rounds of both
/// (see <see cref="Measure.InterleaveAsync"/>) so machine noise hits both sides alike.
/// </remarks>
internal interface IBenchmark
{
    /// <summary>Short, unique, kebab-case name; selects the benchmark with <c>--only</c>.</summary>
    string Name { get; }

    /// <summary>One sentence saying what is measured against what.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark; honours <see cref="BenchmarkContext.Quick"/> by doing less work.</summary>
    Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}
