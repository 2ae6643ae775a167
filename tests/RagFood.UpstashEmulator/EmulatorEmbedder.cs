using System.Text;
using Microsoft.Extensions.AI;

namespace RagFood.UpstashEmulator;

/// <summary>The emulator's stand-in for Upstash's hosted embedding models.</summary>
/// <remarks>Dense: any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (RagFood's hashing embedder by default).
/// Sparse: hashed term frequencies with BM25's saturation on documents and unit weights on queries; queries
/// against a sparse model are scored with IDF, as BM25 would be.</remarks>
internal sealed class EmulatorEmbedder(EmulatorOptions options, IEmbeddingGenerator<string, Embedding<float>>? dense)
{
    private const double K1 = 1.2;
    private const int SparseBuckets = 1 << 20;

    public bool HasDenseModel => dense is not null && options.EmbeddingModel.Length > 0;

    public bool HasSparseModel => options.SparseEmbeddingModel.Length > 0;

    /// <summary>The model name reported in info: the embedder's id for <c>builtin</c>, otherwise verbatim.</summary>
    public string DenseModelName => !HasDenseModel ? ""
        : string.Equals(options.EmbeddingModel, "builtin", StringComparison.OrdinalIgnoreCase)
            ? dense!.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? options.EmbeddingModel
            : options.EmbeddingModel;

    public async Task<float[][]> EmbedDenseAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var embeddings = await dense!.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new float[embeddings.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = embeddings[i].Vector.ToArray();
            if (result[i].Length != options.Dimension)
            {
                throw new EmulatorError(500, $"The embedding model produced {result[i].Length} dimensions; the index has {options.Dimension}.");
            }
        }

        return result;
    }

    public static SparseVector EmbedSparse(string text, bool forQuery)
    {
        var counts = new Dictionary<int, int>();
        foreach (var token in Tokens(text))
        {
            var bucket = (int)(Fnv1a(token) % SparseBuckets);
            counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
        }

        var indices = counts.Keys.ToArray();
        var values = indices.Select(i => forQuery ? 1f : (float)(counts[i] * (K1 + 1) / (counts[i] + K1))).ToArray();
        return SparseVector.Normalise(indices, values);
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                yield return current.ToString();
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static uint Fnv1a(string token)
    {
        var hash = 2166136261u;
        foreach (var c in token)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
