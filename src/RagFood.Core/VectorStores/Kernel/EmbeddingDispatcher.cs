using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>Embeds for the stores that embed themselves (Chroma, SQLite): batching, the count and dimension checks,
/// and reuse of a stored vector for text that did not change.</summary>
/// <remarks>
/// <para>Texts go to the generator in batches of <see cref="BatchSize"/>. A generator that returns another number of
/// embeddings than it was given texts fails with <see cref="VectorStoreErrorKind.Internal"/>; one whose vectors do not
/// have the expected dimension fails with <see cref="EmbeddingSpaceMismatchException"/>; an unreachable one
/// (<see cref="HttpRequestException"/>, <see cref="TimeoutException"/>) with <see cref="VectorStoreErrorKind.Unavailable"/>.
/// The caller's cancellation surfaces unchanged.</para>
/// <para>The dimension is learnt from the generator's metadata, else from the first embedding it returns.</para>
/// </remarks>
public sealed class EmbeddingDispatcher
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string _storeName;
    private int _dimension;

    /// <summary>Creates a dispatcher for one store.</summary>
    /// <param name="generator">The store's embedding generator.</param>
    /// <param name="storeName">The store's name, for errors.</param>
    /// <param name="batchSize">Texts per generator call (at least 1).</param>
    /// <param name="fallbackModel">The model id to report when the generator reports none.</param>
    public EmbeddingDispatcher(IEmbeddingGenerator<string, Embedding<float>> generator, string storeName, int batchSize, string? fallbackModel = null)
    {
        _generator = generator ?? throw new ArgumentNullException(nameof(generator));
        _storeName = storeName;
        BatchSize = Math.Max(1, batchSize);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Model = !string.IsNullOrWhiteSpace(metadata?.DefaultModelId) ? metadata!.DefaultModelId! : fallbackModel;
        _dimension = metadata?.DefaultModelDimensions is > 0 and var d ? d : 0;
    }

    /// <summary>Texts per generator call.</summary>
    public int BatchSize { get; }

    /// <summary>The generator's model id, <c>null</c> when neither the generator nor the configuration says.</summary>
    public string? Model { get; private set; }

    /// <summary>The generator's dimension, 0 until known.</summary>
    public int Dimension => Volatile.Read(ref _dimension);

    /// <summary>The generator's embedding space; probes it with one text when its metadata does not tell.</summary>
    public async Task<EmbeddingSpace> GetSpaceAsync(CancellationToken cancellationToken)
    {
        if (Model is null || Dimension == 0)
        {
            var probe = await GenerateAsync(["dimension probe"], null, cancellationToken).ConfigureAwait(false);
            Learn(probe[0].Vector.Length);
            Model ??= probe[0].ModelId;
        }

        return new EmbeddingSpace(Model ?? "unknown", Dimension);
    }

    /// <summary>Embeds one query text.</summary>
    /// <param name="text">The text (already checked by <see cref="VectorStoreRules.Query"/>).</param>
    /// <param name="expectedDimension">The store's dimension, 0 when it has none yet.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="options">Passed to the generator, e.g. <c>EmbeddingPurpose.ForQuery()</c> for asymmetric models.</param>
    public async Task<float[]> EmbedAsync(string text, int expectedDimension, CancellationToken cancellationToken, EmbeddingGenerationOptions? options = null) =>
        (await EmbedManyAsync([text], expectedDimension, cancellationToken, options).ConfigureAwait(false))[0];

    /// <summary>Embeds texts in batches and checks every vector against <paramref name="expectedDimension"/>
    /// (0: the first vector sets it).</summary>
    /// <remarks>A vector the generator handed over as a whole array is returned as that array, not copied (a text
    /// query would otherwise pay a second 4 KB allocation for a 1024-d model): callers must not modify the arrays.</remarks>
    public async Task<float[][]> EmbedManyAsync(IReadOnlyList<string> texts, int expectedDimension, CancellationToken cancellationToken, EmbeddingGenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var batch = start == 0 && texts.Count <= BatchSize ? texts : texts.Skip(start).Take(BatchSize).ToArray();
            var embeddings = await GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new VectorStoreException(_storeName, VectorStoreErrorKind.Internal,
                    $"The embedding generator returned {embeddings.Count} embeddings for {batch.Count} texts.");
            }

            for (var j = 0; j < batch.Count; j++)
            {
                var vector = WholeArray(embeddings[j].Vector);
                if (expectedDimension == 0)
                {
                    expectedDimension = vector.Length;
                }

                if (vector.Length != expectedDimension)
                {
                    var model = Model ?? "unknown";
                    throw new EmbeddingSpaceMismatchException(_storeName, new EmbeddingSpace(model, expectedDimension), new EmbeddingSpace(model, vector.Length),
                        $"The embedding generator returned a {vector.Length}-dimensional vector; the {_storeName} store holds {expectedDimension}-dimensional vectors.");
                }

                result[start + j] = vector;
            }

            Learn(expectedDimension);
        }

        return result;
    }

    /// <summary>The vectors of an upsert's records, in order: a record's own vector, else the stored vector when
    /// <paramref name="storedVectorForSameText"/> has one (same id, same text, same space), else an embedding of its text.</summary>
    /// <returns>The vectors and how many texts were sent to the generator.</returns>
    public async Task<(float[][] Vectors, int Embedded)> ResolveAsync(
        IReadOnlyList<VectorRecord> records, int expectedDimension, Func<VectorRecord, float[]?>? storedVectorForSameText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var vectors = new float[records.Count][];
        var toEmbed = new List<int>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if ((record.Vector ?? storedVectorForSameText?.Invoke(record)) is { } known)
            {
                vectors[i] = known;
            }
            else
            {
                toEmbed.Add(i);
            }
        }

        if (toEmbed.Count > 0)
        {
            var embedded = await EmbedManyAsync([.. toEmbed.Select(i => records[i].Text!)], expectedDimension, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < toEmbed.Count; j++)
            {
                vectors[toEmbed[j]] = embedded[j];
            }
        }

        return (vectors, toEmbed.Count);
    }

    private static float[] WholeArray(ReadOnlyMemory<float> vector) =>
        MemoryMarshal.TryGetArray(vector, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();

    private void Learn(int dimension)
    {
        if (dimension > 0)
        {
            Interlocked.CompareExchange(ref _dimension, dimension, 0);
        }
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> texts, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return await _generator.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            throw new VectorStoreException(_storeName, VectorStoreErrorKind.Unavailable, $"The embedding generator '{Model ?? "unknown"}' failed: {ex.Message}", ex);
        }
    }
}
