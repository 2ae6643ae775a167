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

    /// <summary>The local semantic model snowflake-arctic-embed-xs (384-d), run in-process from the weights inside its
    /// NuGet package: no server, no download.</summary>
    Local,

    /// <summary>The default: the local model for a new embedded SQLite store, the embedder an existing SQLite file
    /// records, the built-in embedder for other stores (see docs/retrieval-quality.md).</summary>
    Auto,
}

/// <summary><c>Embeddings:*</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Embeddings";

    public EmbeddingProvider Provider { get; set; } = EmbeddingProvider.Auto;

    /// <summary>Dimension of the built-in embedder (the local model's dimension is fixed at 384).</summary>
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

        if (options.Provider is EmbeddingProvider.BuiltIn or EmbeddingProvider.Auto && options.Dimension is < 16 or > 8192)
        {
            return ValidateOptionsResult.Fail("Embeddings:Dimension must be between 16 and 8192 (default 1024).");
        }

        return ValidateOptionsResult.Success;
    }
}
