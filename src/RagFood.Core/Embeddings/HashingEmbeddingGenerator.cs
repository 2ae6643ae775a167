using Microsoft.Extensions.AI;

namespace RagFood.Core.Embeddings;

/// <summary>
/// The built-in embedder: deterministic, needs no model weights. Hashed word and character n-gram features,
/// weighted and L2-normalised into a fixed dimension (1024 by default).
/// </summary>
/// <remarks>It is not a neural model and says so in its model id (<see cref="ModelIdPrefix"/>). Case and simple
/// plural/singular forms map to the same features ("Chickpeas" finds "chickpea").</remarks>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Model ids start with this; the dimension follows (e.g. <c>ragfood-hashing-ngram-v1-1024</c>).</summary>
    public const string ModelIdPrefix = "ragfood-hashing-ngram-v1";

    public const int DefaultDimension = 1024;

    public HashingEmbeddingGenerator(int dimension = DefaultDimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 16);
        Dimension = dimension;
        ModelId = $"{ModelIdPrefix}-{dimension}";
        Metadata = new EmbeddingGeneratorMetadata("ragfood-builtin", null, ModelId, dimension);
    }

    public int Dimension { get; }

    public string ModelId { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Embeds one text synchronously (the work is CPU-only and allocation-light).</summary>
    public float[] Embed(string text) => throw new NotImplementedException("embedder: in progress");

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId, CreatedAt = null });
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
