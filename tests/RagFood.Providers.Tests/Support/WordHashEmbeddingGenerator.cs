using Microsoft.Extensions.AI;

namespace RagFood.Providers.Tests.Support;

/// <summary>
/// A tiny deterministic embedder for provider tests: each lower-cased word (trailing 's' dropped) adds 1 to a
/// bucket chosen by a stable hash, then the vector is L2-normalised. Texts sharing words are close.
/// </summary>
/// <remarks>Kept in the tests so provider tests do not depend on the built-in embedder's tuning; it also counts
/// calls so tests can see batching.</remarks>
public sealed class WordHashEmbeddingGenerator(int dimension = 256) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    public int Dimension { get; } = dimension;

    public string ModelId => $"test-word-hash-{Dimension}";

    /// <summary>How many times <see cref="GenerateAsync"/> was called.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public float[] Embed(string text)
    {
        var vector = new float[Dimension];
        foreach (var raw in text.Split([' ', ',', '.', ';', ':', '!', '?', '-', '\'', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            var word = raw.ToLowerInvariant();
            if (word.Length > 3 && word.EndsWith('s'))
            {
                word = word[..^1];
            }

            // FNV-1a: stable across processes, unlike string.GetHashCode.
            var hash = 2166136261u;
            foreach (var c in word)
            {
                hash = (hash ^ c) * 16777619u;
            }

            vector[hash % (uint)Dimension] += 1f;
        }

        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        if (norm == 0)
        {
            // An empty text still gets a valid unit vector so cosine is defined.
            vector[0] = 1f;
            return vector;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        var result = new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)) { ModelId = ModelId }));
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata)
            ? new EmbeddingGeneratorMetadata("test", null, ModelId, Dimension)
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
