namespace RagFood.Benchmarks.Harness;

/// <summary>A provider against an official client doing the same writes and queries, rounds interleaved so machine
/// noise hits both; each side reports (write seconds, query seconds) for one round.</summary>
internal static class ClientComparison
{
    public delegate Task<(double WriteSeconds, double QuerySeconds)> Side(int round);

    public static async Task<IReadOnlyList<BenchmarkRow>> RunAsync(
        BenchmarkContext context, string benchmark, string store, string officialClient,
        int rounds, int recordCount, int queryCount, string note,
        Side provider, Side official, CancellationToken cancellationToken)
    {
        double providerWrite = 0, officialWrite = 0, providerQuery = 0, officialQuery = 0;
        await Measure.InterleaveAsync(rounds,
            async round =>
            {
                var (write, query) = await provider(round);
                providerWrite += write;
                providerQuery += query;
                context.Log.WriteLine($"   round {round} .NET : add {recordCount / write:0} rec/s, query {queryCount / query:0} q/s");
            },
            async round =>
            {
                var (write, query) = await official(round);
                officialWrite += write;
                officialQuery += query;
                context.Log.WriteLine($"   round {round} JS   : add {recordCount / write:0} rec/s, query {queryCount / query:0} q/s");
            },
            cancellationToken);

        return
        [
            new(benchmark, $"{store} upsert (provider)", "throughput", rounds * recordCount / providerWrite, "records/s")
            {
                Baseline = rounds * recordCount / officialWrite,
                BaselineName = $"{officialClient} upsert",
                Target = BenchmarkTarget.RatioAtLeast(1.0),
                Note = note,
            },
            new(benchmark, $"{store} query (provider)", "throughput", rounds * queryCount / providerQuery, "queries/s")
            {
                Baseline = rounds * queryCount / officialQuery,
                BaselineName = $"{officialClient} query",
                Target = BenchmarkTarget.RatioAtLeast(1.0),
                Note = note,
            },
        ];
    }
}
