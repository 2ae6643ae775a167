namespace RagFood.Benchmarks.Harness;

/// <summary>One line of the results table.</summary>
/// <param name="Benchmark">The <see cref="IBenchmark.Name"/> that produced it.</param>
/// <param name="Name">What was measured, e.g. "Query c=1".</param>
/// <param name="Metric">The quantity, e.g. "p50", "requests/s", "RSS".</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">Unit of <paramref name="Value"/> (and of <see cref="Baseline"/>), e.g. "ms", "req/s", "MB".</param>
internal sealed record BenchmarkRow(string Benchmark, string Name, string Metric, double Value, string Unit)
{
    /// <summary>The same metric measured on the baseline in the same run, if any.</summary>
    public double? Baseline { get; init; }

    /// <summary>What the baseline is, e.g. "Ping c=1".</summary>
    public string? BaselineName { get; init; }

    /// <summary>The target the row is judged against, if any.</summary>
    public BenchmarkTarget? Target { get; init; }

    /// <summary>Free-form note (sizes, settings).</summary>
    public string? Note { get; init; }

    /// <summary><see cref="Value"/> / <see cref="Baseline"/>, when there is a non-zero baseline.</summary>
    public double? Ratio => Baseline is { } b && b != 0 ? Value / b : null;

    /// <summary>Whether the row meets its target; <c>null</c> when there is no target.</summary>
    public bool? Pass => Target?.IsMetBy(this);
}

/// <summary>A limit on a row's ratio (vs its baseline) or on its value.</summary>
/// <param name="OnRatio">Whether the limit applies to <see cref="BenchmarkRow.Ratio"/> (else to <see cref="BenchmarkRow.Value"/>).</param>
/// <param name="AtMost">Whether the measured quantity must be at most (else at least) <paramref name="Limit"/>.</param>
/// <param name="Limit">The limit.</param>
internal sealed record BenchmarkTarget(bool OnRatio, bool AtMost, double Limit)
{
    public static BenchmarkTarget RatioAtMost(double limit) => new(true, true, limit);

    public static BenchmarkTarget RatioAtLeast(double limit) => new(true, false, limit);

    public static BenchmarkTarget ValueAtMost(double limit) => new(false, true, limit);

    public static BenchmarkTarget ValueAtLeast(double limit) => new(false, false, limit);

    public bool IsMetBy(BenchmarkRow row)
    {
        var measured = OnRatio ? row.Ratio : row.Value;
        return measured is { } m && (AtMost ? m <= Limit : m >= Limit);
    }

    /// <summary>Reads like "ratio ≤ 2" or "≤ 150 MB".</summary>
    public string Describe(string unit) => (OnRatio ? "ratio " : "") + (AtMost ? "≤ " : "≥ ")
        + Limit.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + (OnRatio ? "" : " " + unit);
}
