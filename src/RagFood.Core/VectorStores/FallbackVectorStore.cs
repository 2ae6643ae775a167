using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary>Serves reads from a secondary store when the primary fails transiently, and keeps the secondary's copy of
/// writes when asked to (<see cref="WriteMode.Dual"/>).</summary>
/// <remarks>
/// <para><b>Reads</b> (query, fetch, range, info, namespaces) go to the primary. They are retried once on the
/// secondary when the primary fails in a way another store may not: a <see cref="VectorStoreException"/> with
/// <see cref="VectorStoreException.IsTransient"/> (unavailable, timeout, rate limit, open circuit), an
/// <see cref="HttpRequestException"/>, a <see cref="TimeoutException"/>, or a cancellation that did not come from
/// the caller's token (an inner timeout, or <see cref="FallbackVectorStoreOptions.PrimaryReadTimeout"/>). The
/// caller's cancellation, <see cref="ArgumentException"/>s and non-transient store errors are rethrown unchanged:
/// another store would reject the same bad request, or answer a question nobody is waiting for.</para>
/// <para><b>One embedding space.</b> Query, fetch and range fall back only when both stores report the same embedding
/// model and dimension (<see cref="IVectorStore.GetInfoAsync"/>, cached for the decorator's lifetime); otherwise
/// an <see cref="EmbeddingSpaceMismatchException"/> names both models. The primary's space is learnt on its first
/// successful read (one extra info call), by <see cref="VerifyEmbeddingSpacesAsync"/>, or when the fallback happens
/// if the primary still answers info; when it cannot be learnt the fallback is refused rather than risked.
/// Info and namespace listings carry no vectors and fall back without the check.</para>
/// <para>When both stores fail, a <see cref="VectorStoreException"/> with the primary's name and kind is thrown; its
/// message names both failures and its inner <see cref="AggregateException"/> holds both exceptions.</para>
/// <para>Every operation that is served records into <see cref="ServingScope"/> which store served it and whether
/// fallback was used.</para>
/// <para><b>Writes</b> (upsert, delete, reset, delete namespace) never fall back. With <see cref="WriteMode.Primary"/>
/// they go to the primary only. With <see cref="WriteMode.Dual"/> a write is acknowledged once the primary has it and
/// an <see cref="IWriteJournal"/> holds it for the secondary; <see cref="ReplayPendingAsync"/> (or
/// <see cref="RunReplayLoopAsync"/>) applies journaled writes to the secondary in order, and an entry leaves the
/// journal only after the secondary applied it. Dual writes are serialised so that the journal's order is the order
/// in which the primary applied them. A write the primary applied but that was not journaled (the process died in
/// between, or the caller cancelled mid-write) was never acknowledged; the caller's retry brings both stores back in
/// line. Until the journal drains, a fallback read may not see the latest writes.</para>
/// </remarks>
public sealed partial class FallbackVectorStore : DelegatingVectorStore, IDisposable
{
    private static readonly TimeSpan PrimarySpaceProbeInterval = TimeSpan.FromMinutes(1);

    private readonly IVectorStore _secondary;
    private readonly FallbackVectorStoreOptions _options;
    private readonly IWriteJournal? _journal;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _replayGate = new(1, 1);
    private readonly object _statusGate = new();
    private TaskCompletionSource _journalSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EmbeddingSpace? _primarySpace;
    private EmbeddingSpace? _secondarySpace;
    private long _nextPrimarySpaceProbeTicks;
    private string? _lastReplayError;
    private DateTimeOffset? _lastReplayErrorAt;

    /// <param name="primary">The store that serves while it is healthy and receives every write.</param>
    /// <param name="secondary">The store that serves reads when the primary fails transiently.</param>
    /// <param name="options">Write mode, replay pacing; defaults to <see cref="WriteMode.Primary"/>.</param>
    /// <param name="journal">Required with <see cref="WriteMode.Dual"/>: where writes wait for the secondary.</param>
    /// <param name="logger">Logs fallbacks, refusals and replay progress.</param>
    /// <param name="timeProvider">Clock for timeouts and replay backoff.</param>
    /// <exception cref="ArgumentException">Invalid options, the same store twice, or Dual without a journal.</exception>
    public FallbackVectorStore(
        IVectorStore primary,
        IVectorStore secondary,
        FallbackVectorStoreOptions? options = null,
        IWriteJournal? journal = null,
        ILogger<FallbackVectorStore>? logger = null,
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

        if (_options.WriteMode == WriteMode.Dual && journal is null)
        {
            throw new ArgumentException("WriteMode Dual needs a write journal for the secondary.", nameof(journal));
        }

        _secondary = secondary;
        _journal = journal;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The store that serves while healthy and receives every write.</summary>
    public IVectorStore Primary => InnerStore;

    /// <summary>The store that serves reads when the primary fails transiently.</summary>
    public IVectorStore Secondary => _secondary;

    public WriteMode WriteMode => _options.WriteMode;

    // ---------------------------------------------------------------- reads

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

    /// <remarks>Falls back without the embedding-space check: the secondary's info names its own model.</remarks>
    public override Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => ReadAsync(
            "Info",
            async (store, ct) =>
            {
                var info = await store.GetInfoAsync(ct).ConfigureAwait(false);
                // Whoever answered, its space is now known: later fallbacks need not ask again.
                Volatile.Write(ref ReferenceEquals(store, Primary) ? ref _primarySpace : ref _secondarySpace, info.Space);
                return info;
            },
            requiresSameSpace: false,
            cancellationToken);

    public override Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => ReadAsync("ListNamespaces", (store, ct) => store.ListNamespacesAsync(ct), requiresSameSpace: false, cancellationToken);

    /// <summary>Asks both stores for their embedding space now (refreshing the cache) and checks they agree.</summary>
    /// <remarks>Call it at start-up so that a primary that fails later can still be checked against the secondary.</remarks>
    /// <exception cref="EmbeddingSpaceMismatchException">The stores are in different embedding spaces.</exception>
    /// <exception cref="VectorStoreException">A store could not report its space.</exception>
    public async Task VerifyEmbeddingSpacesAsync(CancellationToken cancellationToken = default)
    {
        var primary = (await Primary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
        Volatile.Write(ref _primarySpace, primary);
        var secondary = (await _secondary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
        Volatile.Write(ref _secondarySpace, secondary);
        if (!SameSpace(primary, secondary))
        {
            throw SpaceMismatch(primary, secondary, "Fallback and dual writes between them are refused.");
        }
    }

    private async Task<T> ReadAsync<T>(
        string operation,
        Func<IVectorStore, CancellationToken, Task<T>> call,
        bool requiresSameSpace,
        CancellationToken cancellationToken)
    {
        Exception primaryError;
        try
        {
            var result = await CallPrimaryAsync(call, cancellationToken).ConfigureAwait(false);
            ServingScope.Record(Primary.Name, fallbackUsed: false);
            if (requiresSameSpace)
            {
                await LearnPrimarySpaceAsync(cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch (Exception ex) when (MayFallBack(ex, cancellationToken))
        {
            primaryError = ex;
        }

        var reason = Describe(primaryError);
        if (requiresSameSpace)
        {
            await EnsureSameSpaceForFallbackAsync(operation, primaryError, cancellationToken).ConfigureAwait(false);
        }

        T fallbackResult;
        try
        {
            fallbackResult = await call(_secondary, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception secondaryError)
        {
            LogBothFailed(_logger, operation, Primary.Name, _secondary.Name, reason, Describe(secondaryError));
            throw BothFailed(operation, primaryError, secondaryError);
        }

        LogFellBack(_logger, operation, Primary.Name, _secondary.Name, reason);
        ServingScope.Record(_secondary.Name, fallbackUsed: true, reason);
        return fallbackResult;
    }

    private async Task<T> CallPrimaryAsync<T>(Func<IVectorStore, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (_options.PrimaryReadTimeout is not { } timeout)
        {
            return await call(Primary, cancellationToken).ConfigureAwait(false);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            // WaitAsync as well as the token: a store that ignores its token must not hold the caller past the limit.
            return await call(Primary, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Store '{Primary.Name}' did not answer within {timeout.TotalMilliseconds:0} ms.", ex);
        }
    }

    /// <summary>True when the failure says nothing about the request and another store may serve it.</summary>
    private static bool MayFallBack(Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // The caller has gone: whatever the store threw on the way out, nobody waits for a fallback answer.
            return false;
        }

        return IsTransient(error);
    }

    private static bool IsTransient(Exception error) => error switch
    {
        ArgumentException => false,
        VectorStoreException storeError => storeError.IsTransient,
        HttpRequestException or TimeoutException => true,
        // Not the caller's token (checked by the callers): an inner timeout such as HttpClient.Timeout.
        OperationCanceledException => true,
        _ => false,
    };

    private async Task LearnPrimarySpaceAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _primarySpace) is not null)
        {
            return;
        }

        // At most one probe a minute, so a primary whose info call fails is not asked on every read.
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextPrimarySpaceProbeTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextPrimarySpaceProbeTicks, now + PrimarySpaceProbeInterval.Ticks, due) != due)
        {
            return;
        }

        try
        {
            var info = await Primary.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _primarySpace, info.Space);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a cache warm-up: the read itself was served, so whatever the info call threw, the answer must
            // not be lost to it. The failure is logged and the probe retried a minute later.
            LogPrimarySpaceUnknown(_logger, Primary.Name, ex);
        }
    }

    private async Task EnsureSameSpaceForFallbackAsync(string operation, Exception primaryError, CancellationToken cancellationToken)
    {
        var primarySpace = Volatile.Read(ref _primarySpace);
        if (primarySpace is null)
        {
            try
            {
                primarySpace = (await Primary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
                Volatile.Write(ref _primarySpace, primarySpace);
            }
            catch (Exception ex) when (MayFallBack(ex, cancellationToken) || ex is VectorStoreException)
            {
                LogFallbackRefusedUnknownSpace(_logger, operation, Primary.Name, _secondary.Name, Describe(primaryError));
                throw new VectorStoreException(
                    Primary.Name,
                    KindOf(primaryError),
                    $"{operation} failed on '{Primary.Name}' ({Describe(primaryError)}); fallback to '{_secondary.Name}' was refused "
                    + $"because the embedding space of '{Primary.Name}' is not known yet, so the two cannot be checked to agree.",
                    new AggregateException(primaryError, ex));
            }
        }

        var secondarySpace = Volatile.Read(ref _secondarySpace);
        if (secondarySpace is null)
        {
            try
            {
                secondarySpace = (await _secondary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
                Volatile.Write(ref _secondarySpace, secondarySpace);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception secondaryError)
            {
                LogBothFailed(_logger, operation, Primary.Name, _secondary.Name, Describe(primaryError), Describe(secondaryError));
                throw BothFailed(operation, primaryError, secondaryError);
            }
        }

        if (!SameSpace(primarySpace, secondarySpace))
        {
            LogSpaceMismatch(_logger, operation, Primary.Name, primarySpace, _secondary.Name, secondarySpace);
            throw SpaceMismatch(primarySpace, secondarySpace, $"{operation} failed on '{Primary.Name}' ({Describe(primaryError)}).");
        }
    }

    private static bool SameSpace(EmbeddingSpace a, EmbeddingSpace b) => Kernel.EmbeddingSpaceRule.AreSame(a, b);

    private EmbeddingSpaceMismatchException SpaceMismatch(EmbeddingSpace primary, EmbeddingSpace secondary, string detail)
        => new(_secondary.Name, primary, secondary,
            $"Refusing to use '{_secondary.Name}' (model {secondary.Model}) in place of '{Primary.Name}' (model {primary.Model}): "
            + $"vectors and scores from different models are not comparable. {detail}");

    private VectorStoreException BothFailed(string operation, Exception primaryError, Exception secondaryError)
        => new(
            Primary.Name,
            KindOf(primaryError),
            $"{operation} failed on '{Primary.Name}' ({Describe(primaryError)}) and on fallback '{_secondary.Name}' ({Describe(secondaryError)}).",
            new AggregateException(primaryError, secondaryError));

    private static VectorStoreErrorKind KindOf(Exception error) => error switch
    {
        VectorStoreException storeError => storeError.Kind,
        TimeoutException or OperationCanceledException => VectorStoreErrorKind.Timeout,
        _ => VectorStoreErrorKind.Unavailable,
    };

    private static string Describe(Exception error) => error switch
    {
        VectorStoreException storeError => $"{storeError.Kind}: {storeError.Message}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    // ---------------------------------------------------------------- writes

    public override async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await WriteAsync(
            "Upsert",
            ct => Primary.UpsertAsync(request, ct),
            _ => JournaledWrite.ForUpsert(request),
            // A multi-batch upsert that failed part way left some records in the primary: the secondary gets those too.
            error => error.WrittenIds.Count == 0
                ? null
                : JournaledWrite.ForUpsert(request with { Records = WrittenRecords(request.Records, error.WrittenIds) }),
            cancellationToken).ConfigureAwait(false);
    }

    public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WriteAsync("Delete", ct => Primary.DeleteAsync(request, ct), _ => JournaledWrite.ForDelete(request), null, cancellationToken);
    }

    public override Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
        => WriteAsync(
            "Reset",
            async ct =>
            {
                await Primary.ResetAsync(@namespace, all, ct).ConfigureAwait(false);
                return true;
            },
            _ => JournaledWrite.ForReset(@namespace, all),
            null,
            cancellationToken);

    public override Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
        => WriteAsync(
            "DeleteNamespace",
            ct => Primary.DeleteNamespaceAsync(@namespace, ct),
            _ => JournaledWrite.ForDeleteNamespace(@namespace),
            null,
            cancellationToken);

    private async Task<T> WriteAsync<T>(
        string operation,
        Func<CancellationToken, Task<T>> writeToPrimary,
        Func<T, JournaledWrite> journaled,
        Func<VectorStoreException, JournaledWrite?>? journaledPart,
        CancellationToken cancellationToken)
    {
        if (_options.WriteMode == WriteMode.Primary || _journal is null)
        {
            var result = await writeToPrimary(cancellationToken).ConfigureAwait(false);
            ServingScope.Record(Primary.Name, fallbackUsed: false);
            return result;
        }

        // One Dual write at a time: the journal must list writes in the order the primary applied them, or the
        // secondary could end with an older version of a record than the primary.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            T result;
            try
            {
                result = await writeToPrimary(cancellationToken).ConfigureAwait(false);
            }
            catch (VectorStoreException error) when (journaledPart is not null && error.WrittenIds.Count > 0)
            {
                if (journaledPart(error) is { } part)
                {
                    await JournalAsync(operation, part).ConfigureAwait(false);
                }

                throw;
            }

            await JournalAsync(operation, journaled(result)).ConfigureAwait(false);
            ServingScope.Record(Primary.Name, fallbackUsed: false);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task JournalAsync(string operation, JournaledWrite write)
    {
        long sequence;
        try
        {
            // Not the caller's token: the primary already has this write, so it must reach the journal even if the
            // caller stops waiting now.
            sequence = await _journal!.AppendAsync(write, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new VectorStoreException(
                Primary.Name,
                VectorStoreErrorKind.Internal,
                $"{operation} reached '{Primary.Name}' but could not be journaled for '{_secondary.Name}', so it was not "
                + $"acknowledged; retry it. ({ex.GetType().Name}: {ex.Message})",
                ex);
        }

        LogJournaled(_logger, operation, write.Namespace, sequence, _secondary.Name);
        Interlocked.Exchange(ref _journalSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult();
    }

    private static VectorRecord[] WrittenRecords(IReadOnlyList<VectorRecord> records, IReadOnlyList<string> writtenIds)
    {
        var written = writtenIds.ToHashSet(StringComparer.Ordinal);
        return [.. records.Where(r => written.Contains(r.Id))];
    }

    // ---------------------------------------------------------------- replay

    /// <summary>Applies pending journaled writes to the secondary, oldest first.</summary>
    /// <returns>How many entries the secondary applied in this pass.</returns>
    /// <remarks>
    /// <para>Transient failures of the secondary are retried with exponential backoff up to
    /// <see cref="FallbackVectorStoreOptions.ReplayMaxAttempts"/> times; then the pass stops where it is (later
    /// entries must not overtake an earlier one) and the next pass starts from the same entry. An entry the secondary
    /// rejects as invalid (<see cref="ArgumentException"/>, <see cref="VectorStoreErrorKind.InvalidRequest"/>) can never
    /// apply and is parked in the journal with the reason, so it does not block the rest. Any other failure
    /// (credentials, a mismatched embedding space for entries that carry vectors, an unknown error) stops the pass
    /// and is thrown. An entry applied but not yet marked done when the process dies is applied again on the next
    /// pass, which is harmless because every journaled write is idempotent.</para>
    /// <para>One pass runs at a time; a second caller waits for the first. Returns 0 without a journal.</para>
    /// </remarks>
    public async Task<int> ReplayPendingAsync(CancellationToken cancellationToken = default)
    {
        if (_journal is null)
        {
            return 0;
        }

        await _replayGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var applied = 0;
            var lastSequence = long.MinValue;
            while (true)
            {
                var batch = await _journal.ReadPendingAsync(_options.ReplayBatchSize, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0 || batch[0].Sequence <= lastSequence)
                {
                    // Empty, or a journal that did not drop what was marked done: stop rather than apply it in a loop.
                    break;
                }

                foreach (var entry in batch)
                {
                    switch (await ApplyWithRetriesAsync(entry, cancellationToken).ConfigureAwait(false))
                    {
                        case ReplayOutcome.Applied:
                            await _journal.MarkDoneAsync(entry.Sequence, CancellationToken.None).ConfigureAwait(false);
                            LogReplayed(_logger, entry.Write.Operation, entry.Write.Namespace, entry.Sequence, _secondary.Name);
                            applied++;
                            break;
                        case ReplayOutcome.Parked:
                            break;
                        default:
                            return applied;
                    }

                    lastSequence = entry.Sequence;
                }
            }

            SetReplayError(null);
            if (applied > 0)
            {
                LogReplayPass(_logger, applied, _secondary.Name);
            }

            return applied;
        }
        finally
        {
            _replayGate.Release();
        }
    }

    private async Task<ReplayOutcome> ApplyWithRetriesAsync(WriteJournalEntry entry, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (entry.Write.CarriesVectors)
                {
                    await EnsureSameSpaceForReplayAsync(cancellationToken).ConfigureAwait(false);
                }

                await entry.Write.ApplyToAsync(_secondary, cancellationToken).ConfigureAwait(false);
                return ReplayOutcome.Applied;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is ArgumentException or VectorStoreException { Kind: VectorStoreErrorKind.InvalidRequest })
            {
                var reason = Describe(ex);
                await _journal!.ParkAsync(entry.Sequence, reason, CancellationToken.None).ConfigureAwait(false);
                LogParked(_logger, entry.Sequence, entry.Write.Operation, _secondary.Name, reason);
                return ReplayOutcome.Parked;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                if (attempt >= _options.ReplayMaxAttempts)
                {
                    SetReplayError(Describe(ex));
                    LogReplayStalled(_logger, entry.Sequence, _secondary.Name, attempt, Describe(ex));
                    return ReplayOutcome.Stalled;
                }

                var delay = Backoff(attempt);
                LogReplayRetry(_logger, entry.Sequence, _secondary.Name, attempt, delay.TotalMilliseconds, Describe(ex));
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Not about this entry and not going away by itself (credentials, embedding space, a bug): stop and say so.
                SetReplayError(Describe(ex));
                LogReplayStalled(_logger, entry.Sequence, _secondary.Name, attempt, Describe(ex));
                throw;
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(_options.ReplayInitialBackoff.Ticks * factor, _options.ReplayMaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private async Task EnsureSameSpaceForReplayAsync(CancellationToken cancellationToken)
    {
        var primarySpace = Volatile.Read(ref _primarySpace);
        if (primarySpace is null)
        {
            primarySpace = (await Primary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
            Volatile.Write(ref _primarySpace, primarySpace);
        }

        var secondarySpace = Volatile.Read(ref _secondarySpace);
        if (secondarySpace is null)
        {
            secondarySpace = (await _secondary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
            Volatile.Write(ref _secondarySpace, secondarySpace);
        }

        if (!SameSpace(primarySpace, secondarySpace))
        {
            throw SpaceMismatch(primarySpace, secondarySpace, "Journaled writes that carry vectors cannot be replayed into it.");
        }
    }

    /// <summary>Pending and parked journal entries, and the last replay failure (cleared by a pass that drains).</summary>
    public async Task<WriteReplayStatus> GetReplayStatusAsync(CancellationToken cancellationToken = default)
    {
        var counts = _journal is null
            ? default
            : await _journal.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        lock (_statusGate)
        {
            return new WriteReplayStatus(counts.Pending, counts.Parked, _lastReplayError, _lastReplayErrorAt);
        }
    }

    /// <summary>How many journaled writes the secondary has yet to apply (0 without a journal).</summary>
    public async Task<long> GetPendingWriteCountAsync(CancellationToken cancellationToken = default)
        => _journal is null ? 0 : (await _journal.GetCountsAsync(cancellationToken).ConfigureAwait(false)).Pending;

    /// <summary>Replays until cancelled: a pass every <paramref name="interval"/>, and sooner after a Dual write
    /// unless the last pass stalled.</summary>
    /// <remarks>Meant to be awaited by a hosted service. A failed pass is logged and tried again after
    /// <paramref name="interval"/>; the loop ends only by cancellation (the task is then cancelled).</remarks>
    public async Task RunReplayLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var signal = Volatile.Read(ref _journalSignal).Task;
            var stalled = false;
            try
            {
                await ReplayPendingAsync(cancellationToken).ConfigureAwait(false);
                stalled = Volatile.Read(ref _lastReplayError) is not null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // The loop is the edge of a background service: log, wait, try again, never die silently.
                LogReplayLoopFailed(_logger, _secondary.Name, ex);
                stalled = true;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(interval, _timeProvider, wait.Token);
            await (stalled ? delay : Task.WhenAny(delay, signal)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await wait.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the decorator's own locks; the primary, secondary and journal belong to the caller.</summary>
    public void Dispose()
    {
        _writeGate.Dispose();
        _replayGate.Dispose();
    }

    private void SetReplayError(string? error)
    {
        lock (_statusGate)
        {
            _lastReplayError = error;
            _lastReplayErrorAt = error is null ? null : _timeProvider.GetUtcNow();
        }
    }

    private enum ReplayOutcome
    {
        Applied,
        Parked,
        Stalled,
    }

    // ---------------------------------------------------------------- logs

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "{Operation} fell back from {Primary} to {Secondary}: {Reason}")]
    private static partial void LogFellBack(ILogger logger, string operation, string primary, string secondary, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "{Operation} failed on {Primary} ({PrimaryError}) and on fallback {Secondary} ({SecondaryError})")]
    private static partial void LogBothFailed(ILogger logger, string operation, string primary, string secondary, string primaryError, string secondaryError);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "{Operation}: fallback refused, {Primary} is in {PrimarySpace} but {Secondary} is in {SecondarySpace}")]
    private static partial void LogSpaceMismatch(ILogger logger, string operation, string primary, EmbeddingSpace primarySpace, string secondary, EmbeddingSpace secondarySpace);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "{Operation}: fallback from {Primary} to {Secondary} refused, the primary's embedding space is unknown; primary failed with {Reason}")]
    private static partial void LogFallbackRefusedUnknownSpace(ILogger logger, string operation, string primary, string secondary, string reason);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Could not learn the embedding space of {Primary} yet")]
    private static partial void LogPrimarySpaceUnknown(ILogger logger, string primary, Exception exception);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Journaled {Operation} in namespace '{Namespace}' as #{Sequence} for {Secondary}")]
    private static partial void LogJournaled(ILogger logger, string operation, string @namespace, long sequence, string secondary);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Replayed {Operation} in namespace '{Namespace}' (#{Sequence}) to {Secondary}")]
    private static partial void LogReplayed(ILogger logger, JournalOperation operation, string @namespace, long sequence, string secondary);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Replayed {Count} journaled writes to {Secondary}")]
    private static partial void LogReplayPass(ILogger logger, int count, string secondary);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Replaying #{Sequence} to {Secondary} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogReplayRetry(ILogger logger, long sequence, string secondary, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning, Message = "Replay to {Secondary} stopped at #{Sequence} after {Attempt} attempts: {Reason}")]
    private static partial void LogReplayStalled(ILogger logger, long sequence, string secondary, int attempt, string reason);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "Journal entry #{Sequence} ({Operation}) was rejected by {Secondary} and parked: {Reason}")]
    private static partial void LogParked(ILogger logger, long sequence, JournalOperation operation, string secondary, string reason);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Error, Message = "Replay pass to {Secondary} failed; trying again later")]
    private static partial void LogReplayLoopFailed(ILogger logger, string secondary, Exception exception);
}

/// <summary>The state of a <see cref="FallbackVectorStore"/>'s journal replay.</summary>
/// <param name="Pending">Journaled writes the secondary has yet to apply.</param>
/// <param name="Parked">Writes the secondary rejected as invalid, kept in the journal for inspection.</param>
/// <param name="LastError">Why the last pass stopped early, or <c>null</c> when it drained the journal.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> happened.</param>
public sealed record WriteReplayStatus(long Pending, long Parked, string? LastError, DateTimeOffset? LastErrorAt);
