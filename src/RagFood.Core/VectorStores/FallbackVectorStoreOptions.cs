using Microsoft.Extensions.Options;

namespace RagFood.Core.VectorStores;

/// <summary>Where writes go when a fallback store is configured (<c>VectorStore:WriteMode</c>).</summary>
public enum WriteMode
{
    /// <summary>Writes go to the primary only; the secondary is read-only from RagFood's point of view.</summary>
    Primary,

    /// <summary>Writes go to the primary and, through a durable journal, to the secondary.</summary>
    Dual,
}

/// <summary>Options of <see cref="FallbackVectorStore"/>.</summary>
/// <remarks>Validate with <see cref="FallbackVectorStoreOptionsValidator"/> (the constructor does too).</remarks>
public sealed class FallbackVectorStoreOptions
{
    public WriteMode WriteMode { get; set; } = WriteMode.Primary;

    /// <summary>Longest a read waits for the primary before falling back; <c>null</c> (default) leaves timeouts to
    /// the primary's own pipeline.</summary>
    /// <remarks>The primary's call is cancelled when it elapses. Applies to reads only: a write is never abandoned
    /// half way for the sake of latency.</remarks>
    public TimeSpan? PrimaryReadTimeout { get; set; }

    /// <summary>Entries read from the journal per round trip while replaying.</summary>
    public int ReplayBatchSize { get; set; } = 100;

    /// <summary>Attempts per entry within one replay pass before the pass stops and leaves it for the next one.</summary>
    public int ReplayMaxAttempts { get; set; } = 5;

    /// <summary>Delay before the second attempt; doubles per attempt up to <see cref="ReplayMaxBackoff"/>.</summary>
    public TimeSpan ReplayInitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReplayMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks <see cref="FallbackVectorStoreOptions"/>; register it for <c>ValidateOnStart</c>.</summary>
public sealed class FallbackVectorStoreOptionsValidator : IValidateOptions<FallbackVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FallbackVectorStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.WriteMode))
        {
            failures.Add($"VectorStore:WriteMode '{options.WriteMode}' is not one of Primary, Dual.");
        }

        if (options.PrimaryReadTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add("PrimaryReadTimeout must be positive when set.");
        }

        if (options.ReplayBatchSize is < 1 or > 10_000)
        {
            failures.Add("ReplayBatchSize must be between 1 and 10000.");
        }

        if (options.ReplayMaxAttempts < 1)
        {
            failures.Add("ReplayMaxAttempts must be at least 1.");
        }

        if (options.ReplayInitialBackoff < TimeSpan.Zero || options.ReplayMaxBackoff < options.ReplayInitialBackoff)
        {
            failures.Add("ReplayInitialBackoff must be non-negative and not above ReplayMaxBackoff.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
