using Microsoft.Extensions.Options;
using RagFood.Core.Embeddings;

namespace RagFood.Server.Composition;

/// <summary>Who computes embeddings for the stores that embed themselves (SQLite, Chroma).</summary>
public enum EmbeddingProvider
{
    /// <summary>The built-in hashing embedder: deterministic, no model weights.</summary>
    BuiltIn,

    /// <summary>Ollama's <c>/api/embed</c> with <c>Ollama:EmbeddingModel</c>.</summary>
    Ollama,
}

/// <summary><c>Embeddings:*</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Embeddings";

    public EmbeddingProvider Provider { get; set; } = EmbeddingProvider.BuiltIn;

    /// <summary>Dimension of the built-in embedder.</summary>
    public int Dimension { get; set; } = HashingEmbeddingGenerator.DefaultDimension;
}

internal sealed class EmbeddingOptionsValidator(IOptions<OllamaOptions> ollama) : IValidateOptions<EmbeddingOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddingOptions options)
    {
        if (options.Provider == EmbeddingProvider.Ollama && !ollama.Value.IsConfigured)
        {
            return ValidateOptionsResult.Fail("Embeddings:Provider is Ollama but Ollama:Url is not set.");
        }

        if (options.Provider == EmbeddingProvider.BuiltIn && options.Dimension is < 16 or > 8192)
        {
            return ValidateOptionsResult.Fail("Embeddings:Dimension must be between 16 and 8192 (default 1024).");
        }

        return ValidateOptionsResult.Success;
    }
}
