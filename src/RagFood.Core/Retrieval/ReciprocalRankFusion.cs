namespace RagFood.Core.Retrieval;

/// <summary>Reciprocal rank fusion: each ranking gives an item 1 / (k + rank), the sums order the fused list.</summary>
/// <remarks>
/// Rank-based, so rankings on incomparable scales (cosine, BM25) fuse without calibration; this is how Upstash hybrid
/// indexes fuse their dense and sparse results by default. <see cref="DefaultK"/> = 60, the value of the original
/// paper (Cormack, Clarke and Büttcher, 2009) and of Upstash. Ties keep the order in which items were first seen,
/// rankings taken in the order given, so the result is deterministic.
/// </remarks>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    /// <summary>Fuses <paramref name="rankings"/> (each best first) and returns the items best first with their fused
    /// scores.</summary>
    public static List<(T Item, double Score)> Fuse<T>(IReadOnlyList<IReadOnlyList<T>> rankings, int k = DefaultK)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var scores = new Dictionary<T, (double Score, int FirstSeen)>();
        foreach (var ranking in rankings)
        {
            for (var rank = 0; rank < ranking.Count; rank++)
            {
                var item = ranking[rank];
                var contribution = 1.0 / (k + rank + 1);
                scores[item] = scores.TryGetValue(item, out var existing)
                    ? (existing.Score + contribution, existing.FirstSeen)
                    : (contribution, scores.Count);
            }
        }

        return scores
            .OrderByDescending(pair => pair.Value.Score)
            .ThenBy(pair => pair.Value.FirstSeen)
            .Select(pair => (pair.Key, pair.Value.Score))
            .ToList();
    }
}
