using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary>What one target store's journal holds and how its replay is going.</summary>
/// <param name="Target">The store the entries are for.</param>
/// <param name="Pending">Entries it has yet to apply.</param>
/// <param name="Parked">Entries it refused as invalid, kept for an operator.</param>
/// <param name="OldestPendingAt">When the oldest pending entry was journaled.</param>
/// <param name="ParkedEntries">The first parked entries with their reasons.</param>
/// <param name="LastError">Why the last replay pass stopped early; <c>null</c> after a pass that drained.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> happened.</param>
public sealed record JournalTargetStatus(
    string Target,
    long Pending,
    long Parked,
    DateTimeOffset? OldestPendingAt,
    IReadOnlyList<ParkedJournalEntry> ParkedEntries,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>Reads the journals' state without touching a store (health, Info, metrics, the read preference).</summary>
public interface IJournalMonitor
{
    /// <summary>The last known state per target (refreshed by every replay pass and write; never waits).</summary>
    IReadOnlyList<JournalTargetStatus> Current { get; }

    /// <summary>True when writes are queued for <paramref name="store"/> (this very store, not a same-named other).</summary>
    bool HasPending(IVectorStore store);

    /// <summary>Reads every journal now (a local file, never a store) and returns the fresh state.</summary>
    Task<IReadOnlyList<JournalTargetStatus>> RefreshAsync(CancellationToken cancellationToken = default);
}

/// <summary>One store a <see cref="JournalReplayer"/> replays into, with its journal.</summary>
/// <param name="Store">The target store.</param>
/// <param name="Journal">Writes the target has yet to apply.</param>
public sealed record JournalTarget(IVectorStore Store, IWriteJournal Journal);

/// <summary>Applies journaled writes to their target stores, oldest first; the host runs <see cref="RunAsync"/>.</summary>
/// <remarks>
/// <para>Transient failures of a target are retried with exponential backoff up to
/// <see cref="FallbackVectorStoreOptions.ReplayMaxAttempts"/> times; then the pass stops where it is (later entries
/// must not overtake an earlier one) and the next pass starts from the same entry. An entry the target rejects as
/// invalid (<see cref="ArgumentException"/>, <see cref="VectorStoreErrorKind.InvalidRequest"/>) can never apply and is
/// parked with the reason. Any other failure (credentials, a mismatched embedding space for entries that carry
/// vectors, an unknown error) stops the pass and is thrown. An entry applied but not yet marked done when the process
/// dies is applied again on the next pass, which is harmless because every journaled write is idempotent.</para>
/// <para>One pass per target runs at a time; a second caller waits for the first.</para>
/// </remarks>
public sealed partial class JournalReplayer : IJournalMonitor, IDisposable
{
    private const int ParkedShown = 20;

    private readonly IReadOnlyList<Target> _targets;
    private readonly StorePairSpaces? _spaces;
    private readonly FallbackVectorStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LogThrottle _throttle;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="targets">The stores to replay into, each with its journal.</param>
    /// <param name="spaces">Checked before an entry that carries vectors is replayed; <c>null</c> skips the check.</param>
    /// <param name="options">Batch size, attempts, backoff, interval.</param>
    /// <param name="logger">Logs passes, retries and parked entries.</param>
    /// <param name="timeProvider">Clock for backoff and the loop.</param>
    public JournalReplayer(
        IEnumerable<JournalTarget> targets,
        StorePairSpaces? spaces = null,
        FallbackVectorStoreOptions? options = null,
        ILogger<JournalReplayer>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _targets = [.. targets.Select(t => new Target(t.Store, t.Journal))];
        _spaces = spaces;
        _options = options ?? new FallbackVectorStoreOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _throttle = new LogThrottle(TimeSpan.FromSeconds(30), _time);
    }

    /// <inheritdoc/>
    public IReadOnlyList<JournalTargetStatus> Current => [.. _targets.Select(t => t.Status)];

    /// <inheritdoc/>
    public bool HasPending(IVectorStore store)
    {
        foreach (var target in _targets)
        {
            if (ReferenceEquals(target.Store, store) && Volatile.Read(ref target.PendingHint) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JournalTargetStatus>> RefreshAsync(CancellationToken cancellationToken = default)
    {
        foreach (var target in _targets)
        {
            await RefreshAsync(target, cancellationToken).ConfigureAwait(false);
        }

        return Current;
    }

    /// <summary>Tells the replayer a write was journaled for <paramref name="store"/>: its next pass starts now.</summary>
    public void NotifyAppended(string store)
    {
        foreach (var target in _targets.Where(t => t.Store.Name == store))
        {
            Interlocked.Increment(ref target.PendingHint);
            target.CountAppended(_time);
        }

        Interlocked.Exchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Applies pending writes to every target, oldest first per target.</summary>
    /// <returns>How many entries were applied in this pass, over all targets.</returns>
    public async Task<int> ReplayPendingAsync(CancellationToken cancellationToken = default)
    {
        var applied = 0;
        foreach (var target in _targets)
        {
            applied += await ReplayAsync(target, cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }

    /// <summary>Applies pending writes to <paramref name="store"/> only.</summary>
    /// <returns>True when its journal is empty afterwards.</returns>
    public async Task<bool> DrainAsync(string store, CancellationToken cancellationToken)
    {
        foreach (var target in _targets.Where(t => t.Store.Name == store))
        {
            await ReplayAsync(target, cancellationToken).ConfigureAwait(false);
            if ((await target.Journal.GetCountsAsync(cancellationToken).ConfigureAwait(false)).Pending > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replays until cancelled: a pass every <see cref="FallbackVectorStoreOptions.ReplayInterval"/> (or
    /// <paramref name="interval"/>), and sooner after a journaled write unless the last pass stalled.</summary>
    /// <remarks>A failed pass is logged (rate-limited) and tried again later; the loop ends only by cancellation.</remarks>
    public async Task RunAsync(TimeSpan? interval, CancellationToken cancellationToken)
    {
        var pause = interval ?? _options.ReplayInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pause, TimeSpan.Zero);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = Volatile.Read(ref _signal).Task;
            var stalled = false;
            try
            {
                await ReplayPendingAsync(cancellationToken).ConfigureAwait(false);
                stalled = _targets.Any(t => t.Status.LastError is not null);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // The loop is the edge of a background service: log, wait, try again, never die silently.
                if (_throttle.ShouldLog("loop", out var suppressed))
                {
                    LogReplayLoopFailed(_logger, StoreFailures.Describe(ex), suppressed);
                }

                stalled = true;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(pause, _time, wait.Token);
            await (stalled ? delay : Task.WhenAny(delay, signal)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await wait.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the per-target locks; stores and journals belong to the caller.</summary>
    public void Dispose()
    {
        foreach (var target in _targets)
        {
            target.Gate.Dispose();
        }
    }

    private async Task<int> ReplayAsync(Target target, CancellationToken cancellationToken)
    {
        await target.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var applied = 0;
            var lastSequence = long.MinValue;
            var stalled = false;
            while (!stalled)
            {
                var batch = await target.Journal.ReadPendingAsync(_options.ReplayBatchSize, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0 || batch[0].Sequence <= lastSequence)
                {
                    // Empty, or a journal that did not drop what was marked done: stop rather than apply it in a loop.
                    break;
                }

                foreach (var entry in batch)
                {
                    var outcome = await ApplyWithRetriesAsync(target, entry, cancellationToken).ConfigureAwait(false);
                    if (outcome == ReplayOutcome.Stalled)
                    {
                        stalled = true;
                        break;
                    }

                    if (outcome == ReplayOutcome.Applied)
                    {
                        await target.Journal.MarkDoneAsync(entry.Sequence, CancellationToken.None).ConfigureAwait(false);
                        LogReplayed(_logger, entry.Write.Operation, entry.Write.Namespace, entry.Sequence, target.Store.Name);
                        applied++;
                    }

                    lastSequence = entry.Sequence;
                }
            }

            if (!stalled)
            {
                target.SetError(null, _time);
            }

            if (applied > 0)
            {
                LogReplayPass(_logger, applied, target.Store.Name);
            }

            await RefreshAsync(target, cancellationToken).ConfigureAwait(false);
            return applied;
        }
        finally
        {
            target.Gate.Release();
        }
    }

    private async Task RefreshAsync(Target target, CancellationToken cancellationToken)
    {
        var backlog = await target.Journal.GetBacklogAsync(ParkedShown, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref target.PendingHint, backlog.Counts.Pending);
        var status = target.Status;
        target.Status = status with
        {
            Pending = backlog.Counts.Pending,
            Parked = backlog.Counts.Parked,
            OldestPendingAt = backlog.OldestPendingAt,
            ParkedEntries = backlog.ParkedEntries,
        };
    }

    private async Task<ReplayOutcome> ApplyWithRetriesAsync(Target target, WriteJournalEntry entry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (entry.Write.CarriesVectors && _spaces is not null)
                {
                    var primary = await _spaces.GetAsync(_spaces.Primary, cancellationToken).ConfigureAwait(false);
                    var secondary = await _spaces.GetAsync(_spaces.Secondary, cancellationToken).ConfigureAwait(false);
                    _spaces.ThrowIfDifferent(primary, secondary, "Journaled writes that carry vectors cannot be replayed into it.");
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.ReplayAttemptTimeout);
                await entry.Write.ApplyToAsync(target.Store, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
                return ReplayOutcome.Applied;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is ArgumentException or VectorStoreException { Kind: VectorStoreErrorKind.InvalidRequest })
            {
                var reason = StoreFailures.Describe(ex);
                await target.Journal.ParkAsync(entry.Sequence, reason, CancellationToken.None).ConfigureAwait(false);
                LogParked(_logger, entry.Sequence, entry.Write.Operation, target.Store.Name, reason);
                return ReplayOutcome.Parked;
            }
            catch (Exception ex) when (StoreFailures.IsTransient(ex))
            {
                var reason = StoreFailures.Describe(ex);
                if (attempt >= _options.ReplayMaxAttempts)
                {
                    Stalled(target, entry, attempt, reason);
                    return ReplayOutcome.Stalled;
                }

                var delay = Backoff(attempt);
                LogReplayRetry(_logger, entry.Sequence, target.Store.Name, attempt, delay.TotalMilliseconds, reason);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Not about this entry and not going away by itself (credentials, embedding space, a bug): stop and say so.
                Stalled(target, entry, attempt, StoreFailures.Describe(ex));
                throw;
            }
        }
    }

    /// <summary>The pass stops at <paramref name="entry"/>: recorded for status, logged at most every 30 s per target.</summary>
    private void Stalled(Target target, WriteJournalEntry entry, int attempt, string reason)
    {
        target.SetError(reason, _time);
        if (_throttle.ShouldLog("stalled:" + target.Store.Name, out var suppressed))
        {
            LogReplayStalled(_logger, entry.Sequence, target.Store.Name, attempt, reason, suppressed);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(_options.ReplayInitialBackoff.Ticks * factor, _options.ReplayMaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private enum ReplayOutcome
    {
        Applied,
        Parked,
        Stalled,
    }

    private sealed class Target(IVectorStore store, IWriteJournal journal)
    {
        private readonly object _gate = new();
        private JournalTargetStatus _status = new(store.Name, 0, 0, null, [], null, null);
        public long PendingHint;

        public IVectorStore Store { get; } = store;

        public IWriteJournal Journal { get; } = journal;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public JournalTargetStatus Status
        {
            get
            {
                lock (_gate)
                {
                    return _status;
                }
            }

            set
            {
                lock (_gate)
                {
                    _status = value;
                }
            }
        }

        /// <summary>One more pending entry; atomic, since concurrent dual writes append side by side.</summary>
        public void CountAppended(TimeProvider time)
        {
            lock (_gate)
            {
                _status = _status with { Pending = _status.Pending + 1, OldestPendingAt = _status.OldestPendingAt ?? time.GetUtcNow() };
            }
        }

        public void SetError(string? error, TimeProvider time)
        {
            lock (_gate)
            {
                _status = _status with { LastError = error, LastErrorAt = error is null ? null : time.GetUtcNow() };
            }
        }
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Replayed {Operation} in namespace '{Namespace}' (#{Sequence}) to {Target}")]
    private static partial void LogReplayed(ILogger logger, JournalOperation operation, string @namespace, long sequence, string target);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Replayed {Count} journaled writes to {Target}")]
    private static partial void LogReplayPass(ILogger logger, int count, string target);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Debug, Message = "Replaying #{Sequence} to {Target} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogReplayRetry(ILogger logger, long sequence, string target, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning, Message = "Replay to {Target} stopped at #{Sequence} after {Attempt} attempts: {Reason} ({Suppressed} similar lines not logged since the last one)")]
    private static partial void LogReplayStalled(ILogger logger, long sequence, string target, int attempt, string reason, long suppressed);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "Journal entry #{Sequence} ({Operation}) was rejected by {Target} and parked: {Reason}")]
    private static partial void LogParked(ILogger logger, long sequence, JournalOperation operation, string target, string reason);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Error, Message = "Replay pass failed, trying again later: {Reason} ({Suppressed} similar lines not logged since the last one)")]
    private static partial void LogReplayLoopFailed(ILogger logger, string reason, long suppressed);
}
