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

/// <summary>Options of the failover (<see cref="FailoverVectorStore"/>), dual-write (<see cref="DualWriteVectorStore"/>)
/// and replay (<see cref="JournalReplayer"/>) parts, bound from <c>VectorStore:FallbackPolicy</c>.</summary>
/// <remarks>Validate with <see cref="FallbackVectorStoreOptionsValidator"/> (the constructors do too).</remarks>
public sealed class FallbackVectorStoreOptions
{
    public WriteMode WriteMode { get; set; } = WriteMode.Primary;

    /// <summary>Longest a read waits for the primary before falling back; <c>null</c> (default) leaves timeouts to
    /// the primary's own pipeline.</summary>
    /// <remarks>The primary's call is cancelled when it elapses. Applies to reads only: a write is never abandoned
    /// half way for the sake of latency.</remarks>
    public TimeSpan? PrimaryReadTimeout { get; set; }

    /// <summary>Ask the fallback too when the primary has not answered a read within its learnt budget. Default true.</summary>
    public bool Hedging { get; set; } = true;

    /// <summary>Shortest hedge budget: the primary's observed p99 is raised to this. Default 250 ms.</summary>
    public TimeSpan HedgeFloor { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest hedge budget (and the budget before any latency was observed). Default 1.5 s.</summary>
    public TimeSpan HedgeCeiling { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Failures in a row (errors, or hedges lost without an answer) that open a store's read breaker. Default 5.</summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open breaker skips a store before one read probes it again. Default 5 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With <see cref="WriteMode.Dual"/> and a journal for the primary: longest a write waits for the primary
    /// before it is applied to the fallback and journaled for the primary instead. Default 3 s.</summary>
    /// <remarks>Safe because the primary's journal replays the write, in order, before any newer write reaches it.</remarks>
    public TimeSpan PrimaryWriteTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Pause between replay passes (a write wakes the replayer sooner). Default 5 s.</summary>
    public TimeSpan ReplayInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest one replayed entry may take on its target before the attempt counts as failed. Default 10 s.</summary>
    public TimeSpan ReplayAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

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

        if (options.HedgeFloor <= TimeSpan.Zero || options.HedgeCeiling < options.HedgeFloor)
        {
            failures.Add("HedgeFloor must be positive and not above HedgeCeiling.");
        }

        if (options.BreakerFailureThreshold < 1 || options.BreakDuration <= TimeSpan.Zero)
        {
            failures.Add("BreakerFailureThreshold must be at least 1 and BreakDuration positive.");
        }

        if (options.PrimaryWriteTimeout <= TimeSpan.Zero || options.ReplayInterval <= TimeSpan.Zero || options.ReplayAttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add("PrimaryWriteTimeout, ReplayInterval and ReplayAttemptTimeout must be positive.");
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
