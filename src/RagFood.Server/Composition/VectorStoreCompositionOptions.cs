using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>The vector store providers RagFood knows.</summary>
public enum VectorStoreProvider
{
    Sqlite,
    Upstash,
    Chroma,
}

/// <summary>Which store serves (<c>VectorStore:Provider</c>), which one takes over (<c>VectorStore:Fallback</c>), and how writes go.</summary>
/// <remarks>Each provider's own settings live in <c>VectorStore:{Provider}</c> and are bound by that provider's Add… method,
/// which is only called for the providers named here: a missing Upstash token does not stop a server that runs on SQLite.</remarks>
public sealed class VectorStoreCompositionOptions
{
    public const string SectionName = "VectorStore";

    public VectorStoreProvider Provider { get; set; } = VectorStoreProvider.Sqlite;

    /// <summary>"" (none) or a provider name; bound as text so that an empty value means "no fallback".</summary>
    public string? Fallback { get; set; }

    public WriteMode WriteMode { get; set; } = WriteMode.Primary;

    /// <summary>How long a write on a newly swapped-in composition waits for the writes begun on the old one to finish
    /// before it is refused as Unavailable (the caller retries). Default 10 s.</summary>
    public TimeSpan SwapDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The parsed <see cref="Fallback"/>, or <c>null</c> when none is configured.</summary>
    public VectorStoreProvider? FallbackProvider =>
        string.IsNullOrWhiteSpace(Fallback) || Fallback.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null
        : Enum.TryParse<VectorStoreProvider>(Fallback.Trim(), ignoreCase: true, out var provider) ? provider
        : throw new OptionsValidationException(SectionName, typeof(VectorStoreCompositionOptions),
            [$"VectorStore:Fallback '{Fallback}' is not a provider; use one of: {string.Join(", ", Enum.GetNames<VectorStoreProvider>())}, or leave it empty."]);
}

/// <summary>Checks that the primary and fallback make sense together.</summary>
internal sealed class VectorStoreCompositionOptionsValidator : IValidateOptions<VectorStoreCompositionOptions>
{
    public ValidateOptionsResult Validate(string? name, VectorStoreCompositionOptions options)
    {
        VectorStoreProvider? fallback;
        try
        {
            fallback = options.FallbackProvider;
        }
        catch (OptionsValidationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Failures);
        }

        if (fallback == options.Provider)
        {
            return ValidateOptionsResult.Fail($"VectorStore:Fallback must differ from VectorStore:Provider (both are {options.Provider}).");
        }

        if (options.SwapDrainTimeout <= TimeSpan.Zero || options.SwapDrainTimeout > TimeSpan.FromMinutes(10))
        {
            return ValidateOptionsResult.Fail($"VectorStore:SwapDrainTimeout must be positive and at most 10 minutes (was {options.SwapDrainTimeout}).");
        }

        if (fallback is null && options.WriteMode == WriteMode.Dual)
        {
            return ValidateOptionsResult.Fail("VectorStore:WriteMode Dual needs a VectorStore:Fallback to write to.");
        }

        return ValidateOptionsResult.Success;
    }
}
