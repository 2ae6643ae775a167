namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The one rule for whether two embedding spaces are the same.</summary>
/// <remarks>
/// Two spaces are the same when their model ids are equal after <see cref="NormaliseModel"/> (surrounding
/// whitespace trimmed, letter case ignored, Ollama's default tag <c>:latest</c> dropped) and their dimensions are
/// equal. A dimension of 0 means "not known yet" and matches any dimension; a model id that is empty matches nothing.
/// Stores, the fallback decorator and the server's start-up check all ask this type and nothing else.
/// </remarks>
public static class EmbeddingSpaceRule
{
    private const string OllamaDefaultTag = ":latest";

    /// <summary>The model id as compared: trimmed, lower-case (invariant), without a trailing <c>:latest</c>.</summary>
    public static string NormaliseModel(string? model)
    {
        var trimmed = (model ?? "").Trim();
        if (trimmed.EndsWith(OllamaDefaultTag, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^OllamaDefaultTag.Length].TrimEnd();
        }

        return trimmed.ToLowerInvariant();
    }

    /// <summary>True when two model ids name the same model.</summary>
    public static bool SameModel(string? a, string? b)
    {
        var left = NormaliseModel(a);
        return left.Length > 0 && string.Equals(left, NormaliseModel(b), StringComparison.Ordinal);
    }

    /// <summary>True when two dimensions agree (0 = unknown agrees with anything).</summary>
    public static bool SameDimension(int a, int b) => a == 0 || b == 0 || a == b;

    /// <summary>True when vectors of <paramref name="a"/> and <paramref name="b"/> may be compared.</summary>
    public static bool AreSame(EmbeddingSpace a, EmbeddingSpace b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return SameModel(a.Model, b.Model) && SameDimension(a.Dimension, b.Dimension);
    }
}
