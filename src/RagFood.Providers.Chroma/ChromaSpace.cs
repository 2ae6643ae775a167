using RagFood.Core.VectorStores;

namespace RagFood.Providers.Chroma;

/// <summary>Chroma's distance functions and their conversion to RagFood's [0, 1] similarity.</summary>
/// <remarks>
/// Chroma returns distances (lower is closer); RagFood scores are similarities on Upstash's convention:
/// <list type="bullet">
/// <item><c>cosine</c>: Chroma's distance is d = 1 − cos, so score = (2 − d) / 2 = (1 + cos) / 2.</item>
/// <item><c>l2</c>: Chroma's distance is the <em>squared</em> Euclidean distance d. Query results score
/// (1 + cos) / 2 from the query and the stored vectors, the cosine rule, because 1 / (1 + d) over unnormalised
/// vectors (the legacy app's 1024-d mxbai collections) puts real neighbours near 0.005 and cannot share a relevance
/// floor with anything; 1 / (1 + d) (Upstash's EUCLIDEAN convention) remains for a stored zero vector.</item>
/// <item><c>ip</c>: Chroma's distance is d = 1 − dot, so score = (1 + dot) / 2 = (2 − d) / 2, which for unit
/// vectors is the cosine rule; for non-normalised vectors it is clamped to [0, 1].</item>
/// </list>
/// The raw distance travels in <see cref="ScoredRecord.RawScore"/>.
/// </remarks>
public enum ChromaSpace
{
    L2,
    Cosine,
    InnerProduct,
}

/// <summary>Parsing, naming and score conversion for <see cref="ChromaSpace"/>.</summary>
public static class ChromaSpaceExtensions
{
    /// <summary>The wire name (<c>l2</c>, <c>cosine</c>, <c>ip</c>).</summary>
    public static string ToWireName(this ChromaSpace space) => space switch
    {
        ChromaSpace.Cosine => "cosine",
        ChromaSpace.InnerProduct => "ip",
        _ => "l2",
    };

    /// <summary>RagFood's name for the same similarity.</summary>
    public static SimilarityFunction ToSimilarity(this ChromaSpace space) => space switch
    {
        ChromaSpace.Cosine => SimilarityFunction.Cosine,
        ChromaSpace.InnerProduct => SimilarityFunction.DotProduct,
        _ => SimilarityFunction.Euclidean,
    };

    /// <summary>Converts a Chroma distance to a similarity in [0, 1] (see <see cref="ChromaSpace"/> for the formulas).</summary>
    public static float DistanceToScore(this ChromaSpace space, double distance)
    {
        var score = space switch
        {
            ChromaSpace.L2 => 1.0 / (1.0 + Math.Max(0.0, distance)),
            _ => (2.0 - distance) / 2.0,
        };

        return (float)Math.Clamp(score, 0.0, 1.0);
    }

    /// <summary>RagFood's relevance of a stored vector to a query vector: (1 + cos) / 2, or <c>null</c> when either
    /// has no direction (zero length) or their lengths differ.</summary>
    public static float? RelevanceOf(ReadOnlySpan<float> query, ReadOnlySpan<float> stored)
    {
        if (query.Length != stored.Length || query.Length == 0)
        {
            return null;
        }

        var queryNorm = System.Numerics.Tensors.TensorPrimitives.Norm(query);
        var storedNorm = System.Numerics.Tensors.TensorPrimitives.Norm(stored);
        if (queryNorm == 0 || storedNorm == 0 || !float.IsFinite(queryNorm) || !float.IsFinite(storedNorm))
        {
            return null;
        }

        var cosine = System.Numerics.Tensors.TensorPrimitives.Dot(query, stored) / (queryNorm * storedNorm);
        return Math.Clamp((1f + cosine) / 2f, 0f, 1f);
    }
}

/// <summary>Parses Chroma's space names.</summary>
public static class ChromaSpaceParser
{
    public static bool TryParse(string? name, out ChromaSpace space)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "cosine":
                space = ChromaSpace.Cosine;
                return true;
            case "l2":
                space = ChromaSpace.L2;
                return true;
            case "ip":
                space = ChromaSpace.InnerProduct;
                return true;
            default:
                space = ChromaSpace.L2;
                return false;
        }
    }
}
