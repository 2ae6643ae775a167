using System.Collections.Immutable;
using RagFood.Core.Filtering;
using RagFood.Core.Retrieval;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The lexical side of hybrid retrieval: an inverted index of term frequencies over the records of one
/// <see cref="NamespaceIndex"/> snapshot, scored with Okapi BM25 at query time.</summary>
/// <remarks>
/// <para>Derived, not stored: files written before hybrid existed get it without re-embedding. An index is immutable
/// and belongs to one snapshot; the index of a later snapshot is <see cref="Update">derived</see> from an earlier one
/// by re-reading only the slots whose record changed (a write replaces the records it touches and keeps every other
/// record object), so a query after a write costs one pass of reference comparisons over the slots plus work in
/// proportion to the written records' terms, not a re-read of every text. Only the per-term posting lists a write
/// touches are copied.</para>
/// <para>Postings hold raw term frequencies, so the corpus statistics (document count, average length, document
/// frequencies) can move with every write; BM25 weights are computed from them at query time. An index derived
/// through any number of writes therefore scores exactly as one built from scratch over the same snapshot
/// (postings stay ordered by slot, so even the floating-point sums agree).</para>
/// <para>Terms are <see cref="LexicalTerms"/>; weights are Okapi BM25 (k1 = 1.2, b = 0.75) with the non-negative idf
/// ln(1 + (N − df + 0.5) / (df + 0.5)), N counting the live records that have text.</para>
/// </remarks>
internal sealed class HybridSparseIndex
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>The index of no records.</summary>
    public static readonly HybridSparseIndex Empty = new(
        ImmutableDictionary.Create<string, Posting[]>(StringComparer.Ordinal), [], 0, [], 0, 0, 0);

    private readonly ImmutableDictionary<string, Posting[]> _postings;
    private readonly IndexedRecord?[] _records;
    private readonly int _slotCount;
    private readonly int[] _lengths;

    private HybridSparseIndex(
        ImmutableDictionary<string, Posting[]> postings, IndexedRecord?[] records, int slotCount, int[] lengths, int documents,
        long totalLength, int textsRead)
    {
        _postings = postings;
        _records = records;
        _slotCount = slotCount;
        _lengths = lengths;
        Documents = documents;
        TotalLength = totalLength;
        TextsRead = textsRead;
    }

    /// <summary>Live records with text (BM25's N).</summary>
    public int Documents { get; }

    /// <summary>Terms over those records (for the average length).</summary>
    public long TotalLength { get; }

    /// <summary>Distinct terms indexed.</summary>
    public int TermCount => _postings.Count;

    /// <summary>Texts tokenised to make this index from the one it was derived from (old texts of changed slots
    /// included): what a write cost the next hybrid query.</summary>
    public int TextsRead { get; }

    /// <summary>The index of <paramref name="index"/> built from scratch.</summary>
    public static HybridSparseIndex Build(NamespaceIndex index) => Empty.Update(index);

    /// <summary>The index of <paramref name="index"/>, derived from this one: slots whose record object differs
    /// between the two snapshots are re-read, every other posting is kept.</summary>
    /// <remarks>Any two snapshots work, in either order, compacted or not (a compaction moves records to other slots,
    /// which then simply differ); when more than half the slots differ it builds from scratch, which is then cheaper.</remarks>
    public HybridSparseIndex Update(NamespaceIndex index)
    {
        var slots = index.Slots;
        var count = index.SlotCount;
        var changed = new List<int>();
        for (var slot = 0; slot < Math.Max(count, _slotCount); slot++)
        {
            var before = slot < _slotCount ? _records[slot] : null;
            var after = slot < count ? slots[slot] : null;
            if (!ReferenceEquals(before, after))
            {
                changed.Add(slot);
            }
        }

        if (changed.Count == 0)
        {
            return new HybridSparseIndex(_postings, slots, count, _lengths, Documents, TotalLength, 0);
        }

        if (!ReferenceEquals(this, Empty) && changed.Count * 2 > Math.Max(count, _slotCount))
        {
            return Empty.Update(index);
        }

        return Apply(slots, count, changed);
    }

    private HybridSparseIndex Apply(IndexedRecord?[] slots, int count, List<int> changed)
    {
        var lengths = new int[count];
        Array.Copy(_lengths, lengths, Math.Min(_lengths.Length, count));
        var documents = Documents;
        var totalLength = TotalLength;
        var textsRead = 0;
        var removed = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var added = new Dictionary<string, List<Posting>>(StringComparer.Ordinal);
        foreach (var slot in changed)
        {
            if (slot < _slotCount && _records[slot] is { Text: { } oldText })
            {
                textsRead++;
                documents--;
                totalLength -= _lengths[slot];
                foreach (var term in LexicalTerms.Of(oldText))
                {
                    if (!removed.TryGetValue(term, out var set))
                    {
                        removed[term] = set = [];
                    }

                    set.Add(slot);
                }
            }

            if (slot >= count)
            {
                continue;
            }

            lengths[slot] = 0;
            if (slots[slot] is not { Text: { } newText })
            {
                continue;
            }

            textsRead++;
            documents++;
            var terms = LexicalTerms.Of(newText);
            lengths[slot] = terms.Count;
            totalLength += terms.Count;
            foreach (var group in terms.GroupBy(t => t, StringComparer.Ordinal))
            {
                if (!added.TryGetValue(group.Key, out var list))
                {
                    added[group.Key] = list = [];
                }

                list.Add(new Posting(slot, group.Count()));
            }
        }

        var postings = _postings.ToBuilder();
        foreach (var term in removed.Keys.Union(added.Keys, StringComparer.Ordinal))
        {
            var kept = postings.TryGetValue(term, out var existing) ? existing : [];
            if (removed.TryGetValue(term, out var gone))
            {
                kept = Array.FindAll(kept, p => !gone.Contains(p.Slot));
            }

            var merged = added.TryGetValue(term, out var fresh) ? Merge(kept, fresh) : kept;
            if (merged.Length == 0)
            {
                postings.Remove(term);
            }
            else
            {
                postings[term] = merged;
            }
        }

        return new HybridSparseIndex(postings.ToImmutable(), slots, count, lengths, documents, totalLength, textsRead);
    }

    /// <summary>Two posting lists as one, ordered by slot (<paramref name="fresh"/> is in ascending slot order and
    /// shares no slot with <paramref name="kept"/>).</summary>
    private static Posting[] Merge(Posting[] kept, List<Posting> fresh)
    {
        var merged = new Posting[kept.Length + fresh.Count];
        int i = 0, j = 0, k = 0;
        while (i < kept.Length || j < fresh.Count)
        {
            merged[k++] = j == fresh.Count || (i < kept.Length && kept[i].Slot < fresh[j].Slot) ? kept[i++] : fresh[j++];
        }

        return merged;
    }

    /// <summary>Live records sharing a term with <paramref name="queryText"/> and passing <paramref name="filter"/>,
    /// best BM25 score first (ties by slot), at most <paramref name="limit"/>; <paramref name="slots"/> are those of
    /// the snapshot this index belongs to.</summary>
    public List<(int Slot, double Score)> Search(string queryText, int limit, MetadataFilter? filter, IndexedRecord?[] slots, CancellationToken cancellationToken)
    {
        var averageLength = Documents == 0 ? 1 : Math.Max(1, TotalLength / (double)Documents);
        var scores = new Dictionary<int, double>();
        foreach (var term in LexicalTerms.Of(queryText).Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            var df = postings.Length;
            var idf = Math.Log(1 + ((Documents - df + 0.5) / (df + 0.5)));
            foreach (var (slot, tf) in postings)
            {
                var weight = idf * (tf * (K1 + 1)) / (tf + (K1 * (1 - B + (B * _lengths[slot] / averageLength))));
                scores[slot] = scores.GetValueOrDefault(slot) + weight;
            }
        }

        return scores
            .Where(s => slots[s.Key] is { } record && (filter is null || filter.Matches(record.Metadata)))
            .OrderByDescending(s => s.Value).ThenBy(s => s.Key)
            .Take(limit)
            .Select(s => (s.Key, s.Value))
            .ToList();
    }

    /// <summary>One record's frequency of one term.</summary>
    private readonly record struct Posting(int Slot, int Frequency);
}
