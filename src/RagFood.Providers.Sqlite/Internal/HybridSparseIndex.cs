using System.Runtime.CompilerServices;
using RagFood.Core.Filtering;
using RagFood.Core.Retrieval;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The lexical side of hybrid retrieval: a sparse BM25 vector per record of one <see cref="NamespaceIndex"/>,
/// built from the records' stored text, with an inverted index to score a question against them.</summary>
/// <remarks>
/// <para>Derived, not stored: it is built on the first hybrid query against an index snapshot and cached with that
/// snapshot (<see cref="For"/>), so a write (which makes a new snapshot) costs a rebuild on the next hybrid query and
/// nothing otherwise; files written before hybrid existed get it without re-embedding.</para>
/// <para>Terms are <see cref="LexicalTerms"/>; weights are Okapi BM25 (k1 = 1.2, b = 0.75) with the non-negative idf
/// ln(1 + (N − df + 0.5) / (df + 0.5)).</para>
/// </remarks>
internal sealed class HybridSparseIndex
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private static readonly ConditionalWeakTable<NamespaceIndex, HybridSparseIndex> Cache = new();

    private readonly Dictionary<string, (int Slot, float Weight)[]> _postings;

    private HybridSparseIndex(NamespaceIndex index)
    {
        var termCounts = new Dictionary<string, int>[index.SlotCount];
        var lengths = new int[index.SlotCount];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        long totalLength = 0;
        var live = 0;
        for (var slot = 0; slot < index.SlotCount; slot++)
        {
            if (index.Slots[slot] is not { Text: { } text })
            {
                continue;
            }

            live++;
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in LexicalTerms.Of(text))
            {
                counts[term] = counts.GetValueOrDefault(term) + 1;
                lengths[slot]++;
            }

            foreach (var term in counts.Keys)
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
            }

            termCounts[slot] = counts;
            totalLength += lengths[slot];
        }

        var averageLength = live == 0 ? 1 : Math.Max(1, totalLength / (double)live);
        var postings = new Dictionary<string, List<(int, float)>>(StringComparer.Ordinal);
        for (var slot = 0; slot < termCounts.Length; slot++)
        {
            if (termCounts[slot] is not { } counts)
            {
                continue;
            }

            foreach (var (term, tf) in counts)
            {
                var df = documentFrequency[term];
                var idf = Math.Log(1 + ((live - df + 0.5) / (df + 0.5)));
                var weight = idf * (tf * (K1 + 1)) / (tf + (K1 * (1 - B + (B * lengths[slot] / averageLength))));
                if (!postings.TryGetValue(term, out var list))
                {
                    postings[term] = list = [];
                }

                list.Add((slot, (float)weight));
            }
        }

        _postings = postings.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The sparse index of <paramref name="index"/>, built once per snapshot.</summary>
    public static HybridSparseIndex For(NamespaceIndex index) => Cache.GetValue(index, static i => new HybridSparseIndex(i));

    /// <summary>Slots of the live records sharing a term with <paramref name="queryText"/> and passing
    /// <paramref name="filter"/>, best BM25 score first (ties by slot), at most <paramref name="limit"/>.</summary>
    public List<int> Search(string queryText, int limit, MetadataFilter? filter, IndexedRecord?[] slots, CancellationToken cancellationToken)
    {
        var scores = new Dictionary<int, double>();
        foreach (var term in LexicalTerms.Of(queryText).Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            foreach (var (slot, weight) in postings)
            {
                scores[slot] = scores.GetValueOrDefault(slot) + weight;
            }
        }

        return scores
            .Where(s => slots[s.Key] is { } record && (filter is null || filter.Matches(record.Metadata)))
            .OrderByDescending(s => s.Value).ThenBy(s => s.Key)
            .Take(limit)
            .Select(s => s.Key)
            .ToList();
    }
}
