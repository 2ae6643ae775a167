using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary>Serves reads from a second store when the first fails or is slow: fails over and hedges reads, and does
/// nothing else (writes pass through to the inner store).</summary>
/// <remarks>
/// <para><b>Which store first.</b> The primary, unless its journal holds writes it has yet to apply
/// (<see cref="IJournalMonitor.HasPending"/>): then the fallback holds the newest data and is asked first.</para>
/// <para><b>Fallback.</b> A read falls back when the first store fails in a way another store may not: a transient
/// <see cref="VectorStoreException"/> (unavailable, timeout, rate limit, open circuit), an
/// <see cref="HttpRequestException"/>, a <see cref="TimeoutException"/>, or a cancellation that did not come from the
/// caller's token. The caller's cancellation, <see cref="ArgumentException"/>s and non-transient store errors are
/// rethrown unchanged.</para>
/// <para><b>Hedging.</b> When the first store has not answered within its hedge budget (its observed p99, clamped to
/// <see cref="FallbackVectorStoreOptions.HedgeFloor"/> and <see cref="FallbackVectorStoreOptions.HedgeCeiling"/>),
/// the other store is asked too; the first good answer wins and the other call is cancelled. A hedge lost without an
/// answer counts as a failure for the first store's breaker; an open breaker skips the store, letting one probe read
/// through per <see cref="FallbackVectorStoreOptions.BreakDuration"/>. The caller's cancellation never hedges.</para>
/// <para><b>One embedding space.</b> Query, fetch and range fall back or hedge only between stores known to be in the
/// same space (<see cref="StorePairSpaces"/>); a fallback whose spaces are not known asks the stores, and is refused
/// when the first store's space cannot be learnt; a mismatch throws <see cref="EmbeddingSpaceMismatchException"/>.
/// Hedging needs both spaces known already. Info and namespace listings carry no vectors and fall back freely.</para>
/// <para>When both stores fail, a <see cref="VectorStoreException"/> with the first store's name and kind is thrown;
/// its inner <see cref="AggregateException"/> holds both exceptions. Every served read records into
/// <see cref="ServingScope"/> which store served it and whether fallback was used.</para>
/// </remarks>
public sealed partial class FailoverVectorStore : DelegatingVectorStore
{
    private static readonly TimeSpan PrimarySpaceProbeInterval = TimeSpan.FromMinutes(1);

    private readonly IVectorStore _secondary;
    private readonly FallbackVectorStoreOptions _options;
    private readonly StoreHealthMonitor _health;
    private readonly IJournalMonitor? _journals;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LogThrottle _throttle;
    private long _nextPrimarySpaceProbeTicks;

    /// <param name="primary">The store that serves while it is healthy and up to date.</param>
    /// <param name="secondary">The store that serves reads when the primary fails or is slow.</param>
    /// <param name="options">Hedging, breaker and timeout settings.</param>
    /// <param name="spaces">The pair's embedding spaces, shared with the replayer; made here when <c>null</c>.</param>
    /// <param name="health">Per-store breaker and latency state, shared across compositions; made here when <c>null</c>.</param>
    /// <param name="journals">Tells whether the primary is behind its journal; <c>null</c> when nothing journals.</param>
    /// <param name="logger">Logs refusals and failures (state changes are logged by <paramref name="health"/>).</param>
    /// <param name="timeProvider">Clock for budgets and timeouts.</param>
    /// <exception cref="ArgumentException">Invalid options or the same store twice.</exception>
    public FailoverVectorStore(
        IVectorStore primary,
        IVectorStore secondary,
        FallbackVectorStoreOptions? options = null,
        StorePairSpaces? spaces = null,
        StoreHealthMonitor? health = null,
        IJournalMonitor? journals = null,
        ILogger<FailoverVectorStore>? logger = null,
        TimeProvider? timeProvider = null)
        : base(primary)
    {
        ArgumentNullException.ThrowIfNull(secondary);
        if (ReferenceEquals(primary, secondary))
        {
            throw new ArgumentException("The fallback store must differ from the primary.", nameof(secondary));
        }

        _options = options ?? new FallbackVectorStoreOptions();
        var validation = new FallbackVectorStoreOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _secondary = secondary;
        _time = timeProvider ?? TimeProvider.System;
        Spaces = spaces ?? new StorePairSpaces(primary, secondary);
        _health = health ?? new StoreHealthMonitor(_options, null, _time);
        _journals = journals;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _throttle = new LogThrottle(TimeSpan.FromSeconds(10), _time);
    }

    /// <summary>The store that serves while healthy.</summary>
    public IVectorStore Primary => InnerStore;

    /// <summary>The store that serves reads when the primary fails or is slow.</summary>
    public IVectorStore Secondary => _secondary;

    /// <summary>The pair's embedding spaces.</summary>
    public StorePairSpaces Spaces { get; }

    /// <summary>Per-store breaker and latency state.</summary>
    public IStoreHealthMonitor Health => _health;

    public override Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync("Query", (store, ct) => store.QueryAsync(query, ct), requiresSameSpace: true, cancellationToken);
    }

    public override Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync("Fetch", (store, ct) => store.FetchAsync(request, ct), requiresSameSpace: true, cancellationToken);
    }

    public override Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync("Range", (store, ct) => store.RangeAsync(request, ct), requiresSameSpace: true, cancellationToken);
    }

    /// <remarks>Falls back without the embedding-space check: the answer names its own model.</remarks>
    public override Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => ReadAsync(
            "Info",
            async (store, ct) =>
            {
                var info = await store.GetInfoAsync(ct).ConfigureAwait(false);
                Spaces.Learn(store, info.Space);
                return info;
            },
            requiresSameSpace: false,
            cancellationToken);

    public override Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => ReadAsync("ListNamespaces", (store, ct) => store.ListNamespacesAsync(ct), requiresSameSpace: false, cancellationToken);

    /// <remarks>Writes are not failed over; they go to the primary and record it as the serving store.</remarks>
    public override async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        var result = await Primary.UpsertAsync(request, cancellationToken).ConfigureAwait(false);
        ServingScope.Record(Primary.Name, fallbackUsed: false);
        return result;
    }

    /// <remarks>Not failed over, like <see cref="UpsertAsync"/>.</remarks>
    public override async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        var deleted = await Primary.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
        ServingScope.Record(Primary.Name, fallbackUsed: false);
        return deleted;
    }

    /// <remarks>Not failed over, like <see cref="UpsertAsync"/>.</remarks>
    public override async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        await Primary.ResetAsync(@namespace, all, cancellationToken).ConfigureAwait(false);
        ServingScope.Record(Primary.Name, fallbackUsed: false);
    }

    /// <remarks>Not failed over, like <see cref="UpsertAsync"/>.</remarks>
    public override async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var deleted = await Primary.DeleteNamespaceAsync(@namespace, cancellationToken).ConfigureAwait(false);
        ServingScope.Record(Primary.Name, fallbackUsed: false);
        return deleted;
    }

    /// <summary>Asks both stores for their embedding space now (refreshing the cache) and checks they agree.</summary>
    /// <remarks>Call it at start-up so that a primary that fails later can still be checked against the secondary,
    /// and so that reads can hedge from the first one.</remarks>
    /// <exception cref="EmbeddingSpaceMismatchException">The stores are in different embedding spaces.</exception>
    public Task VerifyEmbeddingSpacesAsync(CancellationToken cancellationToken = default) => Spaces.VerifyAsync(cancellationToken);

    private async Task<T> ReadAsync<T>(string operation, Func<IVectorStore, CancellationToken, Task<T>> call, bool requiresSameSpace, CancellationToken cancellationToken)
    {
        // The store with the newest data first: the primary, unless writes are queued for it.
        var primaryBehind = _journals?.HasPending(Primary) == true;
        var (first, second) = primaryBehind ? (_secondary, Primary) : (Primary, _secondary);
        var firstHealth = _health.For(first.Name);
        Exception firstError;
        if (!firstHealth.TryEnter())
        {
            firstError = new VectorStoreException(first.Name, VectorStoreErrorKind.CircuitOpen,
                $"the breaker for '{first.Name}' is open after {_options.BreakerFailureThreshold} failures in a row ({firstHealth.Snapshot().LastError})");
        }
        else
        {
            using var firstCall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var firstTask = AttemptAsync(first, call, firstCall, cancellationToken);
            if (_options.Hedging && (!requiresSameSpace || Spaces.KnownSame))
            {
                var budget = firstHealth.HedgeDelay;
                using var timerCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var timer = Task.Delay(budget, _time, timerCancel.Token);
                var hedge = await Task.WhenAny(firstTask, timer).ConfigureAwait(false) != firstTask;
                // Most reads answer first: stop their timer now rather than leave it running for the whole budget.
                await timerCancel.CancelAsync().ConfigureAwait(false);
                if (hedge)
                {
                    // The caller has gone: nobody waits for a hedged answer.
                    cancellationToken.ThrowIfCancellationRequested();
                    return await HedgeAsync(operation, call, first, second, firstTask, firstCall, budget, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                var result = await firstTask.ConfigureAwait(false);
                await ServedAsync(first, primaryBehind, requiresSameSpace, cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex) when (MayFallBack(ex, cancellationToken))
            {
                firstError = ex;
            }
        }

        var reason = StoreFailures.Describe(firstError);
        if (requiresSameSpace)
        {
            await EnsureSameSpaceForFallbackAsync(operation, first, second, firstError, cancellationToken).ConfigureAwait(false);
        }

        T fallbackResult;
        try
        {
            using var secondCall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            fallbackResult = await AttemptAsync(second, call, secondCall, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception secondaryError)
        {
            throw BothFailed(operation, first, second, firstError, secondaryError);
        }

        FellBack(operation, first, second, reason);
        return fallbackResult;
    }

    /// <summary>Both stores are asked; the first good answer wins and the other call is cancelled.</summary>
    private async Task<T> HedgeAsync<T>(
        string operation,
        Func<IVectorStore, CancellationToken, Task<T>> call,
        IVectorStore first,
        IVectorStore second,
        Task<T> firstTask,
        CancellationTokenSource firstCall,
        TimeSpan budget,
        CancellationToken cancellationToken)
    {
        var reason = $"TimeoutException: '{first.Name}' did not answer within {budget.TotalMilliseconds:0} ms, so '{second.Name}' was asked too";
        _health.For(first.Name).RecordHedge();
        using var secondCall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var secondTask = AttemptAsync(second, call, secondCall, cancellationToken);
        var done = await Task.WhenAny(firstTask, secondTask).ConfigureAwait(false);
        if (done.IsCompletedSuccessfully)
        {
            var firstWon = done == firstTask;
            await (firstWon ? secondCall : firstCall).CancelAsync().ConfigureAwait(false);
            Observe(firstWon ? secondTask : firstTask);
            if (firstWon)
            {
                _health.For(first.Name).RecordServed();
                return await firstTask.ConfigureAwait(false);
            }

            _health.For(first.Name).RecordFailure(reason);
            FellBack(operation, first, second, reason);
            return await secondTask.ConfigureAwait(false);
        }

        // One of them failed: the other one's answer (or failure) decides.
        cancellationToken.ThrowIfCancellationRequested();
        var other = done == firstTask ? secondTask : firstTask;
        try
        {
            var result = await other.ConfigureAwait(false);
            if (other == secondTask)
            {
                FellBack(operation, first, second, StoreFailures.Describe(firstTask.Exception!.GetBaseException()));
            }
            else
            {
                _health.For(first.Name).RecordServed();
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var firstError = firstTask.IsFaulted ? firstTask.Exception!.GetBaseException() : ex;
            var secondError = secondTask.IsFaulted ? secondTask.Exception!.GetBaseException() : ex;
            if (!MayFallBack(firstError, cancellationToken))
            {
                throw firstError;
            }

            throw BothFailed(operation, first, second, firstError, secondError);
        }
    }

    /// <summary>One call to one store, timed into its latency window and breaker; bounded by
    /// <see cref="FallbackVectorStoreOptions.PrimaryReadTimeout"/> when set (also for a store that ignores its token).</summary>
    private async Task<T> AttemptAsync<T>(IVectorStore store, Func<IVectorStore, CancellationToken, Task<T>> call, CancellationTokenSource attempt, CancellationToken callerToken)
    {
        var health = _health.For(store.Name);
        var started = _time.GetTimestamp();
        try
        {
            var task = call(store, attempt.Token);
            var result = _options.PrimaryReadTimeout is { } timeout
                ? await task.WaitAsync(timeout, _time, attempt.Token).ConfigureAwait(false)
                : await task.WaitAsync(attempt.Token).ConfigureAwait(false);
            health.RecordSuccess(_time.GetElapsedTime(started));
            return result;
        }
        catch (TimeoutException ex) when (!attempt.IsCancellationRequested && _options.PrimaryReadTimeout is { } timeout)
        {
            await attempt.CancelAsync().ConfigureAwait(false);
            var error = new TimeoutException($"Store '{store.Name}' did not answer within {timeout.TotalMilliseconds:0} ms.", ex);
            health.RecordFailure(StoreFailures.Describe(error));
            throw error;
        }
        catch (Exception ex) when (!attempt.IsCancellationRequested && !callerToken.IsCancellationRequested && StoreFailures.IsTransient(ex))
        {
            health.RecordFailure(StoreFailures.Describe(ex));
            throw;
        }
    }

    private static void Observe(Task task) => _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task ServedAsync(IVectorStore store, bool primaryBehind, bool requiresSameSpace, CancellationToken cancellationToken)
    {
        ServingScope.Record(store.Name, fallbackUsed: primaryBehind);
        _health.For(store.Name).RecordServed();
        if (requiresSameSpace && ReferenceEquals(store, Primary))
        {
            await LearnPrimarySpaceAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void FellBack(string operation, IVectorStore first, IVectorStore second, string reason)
    {
        LogFellBack(_logger, operation, first.Name, second.Name, reason);
        _health.For(first.Name).RecordFallback(second.Name, reason);
        ServingScope.Record(second.Name, fallbackUsed: !ReferenceEquals(second, Primary), reason);
    }

    /// <summary>True when the failure says nothing about the request and another store may serve it.</summary>
    private static bool MayFallBack(Exception error, CancellationToken cancellationToken)
        => !cancellationToken.IsCancellationRequested && StoreFailures.IsTransient(error);

    private async Task LearnPrimarySpaceAsync(CancellationToken cancellationToken)
    {
        if (Spaces.PrimarySpace is not null)
        {
            return;
        }

        // At most one probe a minute, so a primary whose info call fails is not asked on every read.
        var now = _time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextPrimarySpaceProbeTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPrimarySpaceProbeTicks, now + PrimarySpaceProbeInterval.Ticks, due) != due)
        {
            return;
        }

        try
        {
            await Spaces.GetAsync(Primary, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a cache warm-up: the read itself was served, so whatever the info call threw, the answer must
            // not be lost to it. Retried a minute later.
            var reason = StoreFailures.Describe(ex);
            LogPrimarySpaceUnknown(_logger, Primary.Name, reason);
        }
    }

    private async Task EnsureSameSpaceForFallbackAsync(string operation, IVectorStore first, IVectorStore second, Exception firstError, CancellationToken cancellationToken)
    {
        try
        {
            await Spaces.EnsureSameForFallbackAsync(operation, first, second, firstError,
                secondError => BothFailed(operation, first, second, firstError, secondError),
                () => LogFallbackRefusedUnknownSpace(_logger, operation, first.Name, second.Name, StoreFailures.Describe(firstError)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddingSpaceMismatchException ex)
        {
            LogSpaceMismatch(_logger, operation, Primary.Name, ex.Expected, _secondary.Name, ex.Actual);
            throw;
        }
    }

    private VectorStoreException BothFailed(string operation, IVectorStore first, IVectorStore second, Exception firstError, Exception secondError)
    {
        var firstText = StoreFailures.Describe(firstError);
        var secondText = StoreFailures.Describe(secondError);
        if (_throttle.ShouldLog("both-failed:" + operation, out var suppressed))
        {
            LogBothFailed(_logger, operation, first.Name, second.Name, firstText, secondText, suppressed);
        }

        return new VectorStoreException(
            first.Name,
            StoreFailures.KindOf(firstError),
            $"{operation} failed on '{first.Name}' ({firstText}) and on fallback '{second.Name}' ({secondText}).",
            new AggregateException(firstError, secondError));
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "{Operation} fell back from {Primary} to {Secondary}: {Reason}")]
    private static partial void LogFellBack(ILogger logger, string operation, string primary, string secondary, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "{Operation} failed on {Primary} ({PrimaryError}) and on fallback {Secondary} ({SecondaryError}); {Suppressed} similar failures not logged since the last line")]
    private static partial void LogBothFailed(ILogger logger, string operation, string primary, string secondary, string primaryError, string secondaryError, long suppressed);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "{Operation}: fallback refused, {Primary} is in {PrimarySpace} but {Secondary} is in {SecondarySpace}")]
    private static partial void LogSpaceMismatch(ILogger logger, string operation, string primary, EmbeddingSpace primarySpace, string secondary, EmbeddingSpace secondarySpace);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "{Operation}: fallback from {Primary} to {Secondary} refused, the primary's embedding space is unknown; primary failed with {Reason}")]
    private static partial void LogFallbackRefusedUnknownSpace(ILogger logger, string operation, string primary, string secondary, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Could not learn the embedding space of {Primary} yet: {Reason}")]
    private static partial void LogPrimarySpaceUnknown(ILogger logger, string primary, string reason);
}
