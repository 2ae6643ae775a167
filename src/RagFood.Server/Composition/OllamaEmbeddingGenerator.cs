using Microsoft.Extensions.AI;
using OllamaSharp.Models.Exceptions;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>Ollama's embedding generator with the per-call timeout and typed failures.</summary>
/// <remarks>The stores that embed (SQLite, Chroma) see a <see cref="VectorStoreException"/> (Unavailable or Timeout)
/// instead of a raw <see cref="HttpRequestException"/>, so the gRPC edge maps an unreachable Ollama to Unavailable.</remarks>
internal sealed class OllamaEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, OllamaOptions options)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private const string SourceName = "ollama";

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options1 = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await base.GenerateAsync(values, options1, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VectorStoreException(SourceName, VectorStoreErrorKind.Timeout,
                $"Ollama at {options.DisplayUrl} did not return embeddings within {options.Timeout.TotalSeconds:0.#}s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new VectorStoreException(SourceName, VectorStoreErrorKind.Unavailable,
                $"Ollama at {options.DisplayUrl} could not compute embeddings with model '{options.EmbeddingModel}': {ex.Message}", ex);
        }
        catch (OllamaException ex)
        {
            throw new VectorStoreException(SourceName, VectorStoreErrorKind.FailedPrecondition,
                $"Ollama at {options.DisplayUrl} refused to embed with model '{options.EmbeddingModel}': {ex.Message}", ex);
        }
    }
}
