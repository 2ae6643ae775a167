using System.Numerics.Tensors;
using RagFood.Core.Filtering;
using RagFood.Core.Retrieval;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>Hybrid retrieval over one namespace: the exact dense scan and the BM25 sparse index each rank candidates,
/// and reciprocal rank fusion orders the union.</summary>
/// <remarks>
/// Each side contributes up to <see cref="CandidateDepth"/> candidates that pass the filter. The hits come back in
/// fused order but carry their dense cosine, so scores stay on the store's one similarity scale (and a relevance floor
/// means the same in both modes); a record found only lexically gets its cosine computed from its stored vector.
/// </remarks>
internal static class HybridSearch
{
    /// <summary>Candidates per side: at least this many, and at least four times the requested top k.</summary>
    public const int MinCandidates = 40;

    public static int CandidateDepth(int topK) => Math.Max(MinCandidates, topK * 4);

    /// <summary>The top <c>topK</c> of <c>index</c> for one question; <c>sparse</c> is the lexical index of that same
    /// snapshot (<see cref="HybridSparseIndexCache.For"/>).</summary>
    public static ScanHit[] Search(NamespaceIndex index, HybridSparseIndex sparse, ReadOnlySpan<float> unitQuery, string queryText, int topK,
        MetadataFilter? filter, CancellationToken cancellationToken)
    {
        var depth = CandidateDepth(topK);
        var dense = index.Search(unitQuery, depth, filter, cancellationToken);
        var lexical = sparse.Search(queryText, depth, filter, index.Slots, cancellationToken).Select(h => h.Slot).ToList();
        var fused = ReciprocalRankFusion.Fuse<int>([dense.Select(h => h.Slot).ToList(), lexical]);
        var cosines = dense.ToDictionary(h => h.Slot, h => h.Cosine);
        var count = Math.Min(topK, fused.Count);
        var hits = new ScanHit[count];
        var vector = new float[index.Dimension];
        for (var i = 0; i < count; i++)
        {
            var slot = fused[i].Item;
            if (!cosines.TryGetValue(slot, out var cosine))
            {
                index.CopyVector(slot, vector);
                cosine = TensorPrimitives.Dot(unitQuery, vector);
            }

            hits[i] = new ScanHit(slot, cosine);
        }

        return hits;
    }
}
