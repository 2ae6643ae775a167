using Microsoft.Extensions.AI;

namespace RagFood.Core.Embeddings;

/// <summary>Tells an embedding generator whether it embeds a question or a stored document.</summary>
/// <remarks>
/// Asymmetric retrieval models (snowflake-arctic-embed, mxbai-embed-large, e5) expect a prefix on questions and none on
/// documents. A store that embeds a query text passes <see cref="ForQuery"/>; everything else is a document.
/// Generators that do not know the property ignore it, so passing it is always safe.
/// </remarks>
public static class EmbeddingPurpose
{
    /// <summary>The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> key.</summary>
    public const string PropertyName = "ragfood.input_type";

    /// <summary>The value for a question.</summary>
    public const string Query = "query";

    /// <summary>New options (a generator may change what it receives) that mark the values as questions.</summary>
    public static EmbeddingGenerationOptions ForQuery() => new() { AdditionalProperties = new() { [PropertyName] = Query } };

    /// <summary>Whether <paramref name="options"/> mark the values as questions.</summary>
    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyName, out var value) == true
        && value is string text && string.Equals(text, Query, StringComparison.Ordinal);
}
