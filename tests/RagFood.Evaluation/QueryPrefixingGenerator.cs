using Microsoft.Extensions.AI;
using RagFood.Core.Embeddings;

namespace RagFood.Evaluation;

/// <summary>Puts <paramref name="prefix"/> before every value embedded for a question
/// (<see cref="EmbeddingPurpose.ForQuery"/>), for models such as mxbai-embed-large whose cards ask for a retrieval
/// instruction on queries; documents pass unchanged. An empty prefix changes nothing.</summary>
internal sealed class QueryPrefixingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string prefix)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GenerateAsync(prefix.Length > 0 && EmbeddingPurpose.IsQuery(options) ? values.Select(v => prefix + v) : values, options, cancellationToken);
}
