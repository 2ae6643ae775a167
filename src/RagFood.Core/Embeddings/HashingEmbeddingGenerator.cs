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
    /// <summary>Model ids start with this; the dimension follows (e.g. <c>ragfood-hashing-ngram-v2-1024</c>).</summary>
    public const string ModelIdPrefix = "ragfood-hashing-ngram-v2";

    public const int DefaultDimension = 1024;

    public HashingEmbeddingGenerator(int dimension = DefaultDimension)
        : this(dimension, FeatureWeights.Default)
    {
    }

    internal HashingEmbeddingGenerator(int dimension, FeatureWeights weights)
    {
        Weights = weights;
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 16);
        Dimension = dimension;
        ModelId = $"{ModelIdPrefix}-{dimension}";
        Metadata = new EmbeddingGeneratorMetadata("ragfood-builtin", null, ModelId, dimension);
    }

    public int Dimension { get; }

    internal FeatureWeights Weights { get; }

    public string ModelId { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>Embeds one text synchronously (the work is CPU-only and allocation-light).</summary>
    /// <remarks>
    /// Returns a new unit-length vector of <see cref="Dimension"/> floats; the same text gives the same vector in every
    /// process. Text is lower-cased, stripped of Latin accents and lightly stemmed, so "Chickpeas" and "chickpea" share
    /// their features. Empty, whitespace-only or punctuation-only text has no features and maps to one fixed unit
    /// vector on a reserved coordinate (never a zero vector, which cosine stores cannot hold).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[Dimension];
        HashedFeatures.Embed(text, vector, Weights);
        return vector;
    }

    /// <summary>Embeds each value with <see cref="Embed"/>, in order.</summary>
    /// <remarks>Runs synchronously on the caller's thread. A requested <see cref="EmbeddingGenerationOptions.Dimensions"/>
    /// other than <see cref="Dimension"/> is an error rather than a silently different space.</remarks>
    /// <exception cref="ArgumentException"><paramref name="options"/> asks for another dimension.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        if (options?.Dimensions is { } requested && requested != Dimension)
        {
            throw new ArgumentException($"{ModelId} produces {Dimension}-dimensional vectors; {requested} were requested.", nameof(options));
        }

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
