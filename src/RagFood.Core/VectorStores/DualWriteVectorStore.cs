using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary>Keeps a second store's copy of every write (<see cref="WriteMode.Dual"/>), through durable journals; reads
/// pass through to the inner store.</summary>
/// <remarks>
/// <para><b>Normally</b> a write goes to the inner store (the primary) and, once it applied it, is appended to the
/// fallback's journal; then it is acknowledged (durable in the primary, queued for the fallback).</para>
/// <para><b>While the primary is down</b> (its write failed transiently or took longer than
/// <see cref="FallbackVectorStoreOptions.PrimaryWriteTimeout"/>, or its breaker is open), and when a journal for the
/// primary is given: the fallback's own journal is drained first (so the fallback never gets a newer write before an
/// older one), the write is applied to the fallback and appended to the primary's journal, and acknowledged as durable
/// in the fallback and queued for the primary. Without a journal for the primary, the primary's error is thrown.</para>
/// <para><b>Order.</b> Writes that touch the same records are serialised (<see cref="WriteOrderLocks"/>: an upsert or a
/// delete by ids holds its ids, a delete by prefix or filter, a reset or a namespace deletion holds everything);
/// writes on disjoint records run side by side, so their journal appends share group commits, and since such writes
/// commute their order in a journal does not matter. While the primary's journal holds entries, new writes keep going
/// to the fallback (and the primary's journal), so the replayer applies the primary's journal in order before any new
/// write reaches it. Both stores therefore end equal to the acknowledged writes in acknowledgement order per record
/// (last write per id wins, deletes included).</para>
/// <para>A write one store applied but that could not be journaled for the other is not acknowledged: the error
/// says so and the caller retries (every write is idempotent). The part of an upsert that reached the primary before
/// it failed is journaled for the fallback before the error is rethrown.</para>
/// <para>Every write records into <see cref="ServingScope"/> where it is durable and what is queued.</para>
/// </remarks>
public sealed partial class DualWriteVectorStore : DelegatingVectorStore, IDisposable
{
    private readonly IVectorStore _secondary;
    private readonly IWriteJournal _secondaryJournal;
    private readonly IWriteJournal? _primaryJournal;
    private readonly JournalReplayer? _replayer;
    private readonly StoreHealthMonitor? _health;
    private readonly FallbackVectorStoreOptions _options;
    private readonly ILogger _logger;
    private readonly WriteOrderLocks _order = new();

    /// <param name="primary">The store (or failover decorator over it) that normally takes every write first.</param>
    /// <param name="secondary">The fallback store that gets a copy of every write.</param>
    /// <param name="secondaryJournal">Where writes wait for the fallback.</param>
    /// <param name="primaryJournal">Where writes wait for the primary while it is down; <c>null</c> refuses writes then.</param>
    /// <param name="replayer">Woken after each append, and asked to drain the fallback's journal before a write goes to
    /// the fallback directly; <c>null</c> when replay is driven by hand.</param>
    /// <param name="health">Per-store breaker state (an open primary breaker sends writes to the fallback at once).</param>
    /// <param name="options">Write timeout.</param>
    /// <param name="logger">Logs journaled writes at Debug.</param>
    public DualWriteVectorStore(
        IVectorStore primary,
        IVectorStore secondary,
        IWriteJournal secondaryJournal,
        IWriteJournal? primaryJournal = null,
        JournalReplayer? replayer = null,
        StoreHealthMonitor? health = null,
        FallbackVectorStoreOptions? options = null,
        ILogger<DualWriteVectorStore>? logger = null)
        : base(primary)
    {
        ArgumentNullException.ThrowIfNull(secondary);
        ArgumentNullException.ThrowIfNull(secondaryJournal);
        if (ReferenceEquals(primaryJournal, secondaryJournal))
        {
            throw new ArgumentException("The primary and the fallback need journals of their own.", nameof(primaryJournal));
        }

        _secondary = secondary;
        _secondaryJournal = secondaryJournal;
        _primaryJournal = primaryJournal;
        _replayer = replayer;
        _health = health;
        _options = options ?? new FallbackVectorStoreOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public override async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await WriteAsync(
            "Upsert",
            request.Namespace,
            request.Records.Select(r => r.Id),
            (store, ct) => store.UpsertAsync(request, ct),
            _ => JournaledWrite.ForUpsert(request),
            // A multi-batch upsert that failed part way left some records in the primary: the fallback gets those too.
            error => error.WrittenIds.Count == 0
                ? null
                : JournaledWrite.ForUpsert(request with { Records = WrittenRecords(request.Records, error.WrittenIds) }),
            JournaledWrite.ForUpsert(request),
            cancellationToken).ConfigureAwait(false);
    }

    public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var write = JournaledWrite.ForDelete(request);
        // Only a delete by ids names its records; one by prefix or filter may touch any record of the namespace.
        var ids = request is { Ids: { } named, Prefix: null, Filter: null } ? named : null;
        return WriteAsync("Delete", request.Namespace, ids, (store, ct) => store.DeleteAsync(request, ct), _ => write, null, write, cancellationToken);
    }

    public override Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        var write = JournaledWrite.ForReset(@namespace, all);
        return WriteAsync(
            "Reset",
            @namespace,
            null,
            async (store, ct) =>
            {
                await store.ResetAsync(@namespace, all, ct).ConfigureAwait(false);
                return true;
            },
            _ => write,
            null,
            write,
            cancellationToken);
    }

    public override Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var write = JournaledWrite.ForDeleteNamespace(@namespace);
        return WriteAsync("DeleteNamespace", @namespace, null, (store, ct) => store.DeleteNamespaceAsync(@namespace, ct), _ => write, null, write, cancellationToken);
    }

    /// <summary>Releases the write locks; stores and journals belong to the caller.</summary>
    public void Dispose() => _order.Dispose();

    private async Task<T> WriteAsync<T>(
        string operation,
        string @namespace,
        IEnumerable<string>? ids,
        Func<IVectorStore, CancellationToken, Task<T>> write,
        Func<T, JournaledWrite> journaled,
        Func<VectorStoreException, JournaledWrite?>? journaledPart,
        JournaledWrite whole,
        CancellationToken cancellationToken)
    {
        // One write at a time per record: each journal must list the writes of a record in the order they were
        // acknowledged, or a store could end with an older version of it than the other. Null ids: every record.
        using (await _order.EnterAsync(@namespace, ids, cancellationToken).ConfigureAwait(false))
        {
            Exception? primaryError = null;
            if (_primaryJournal is null || (!await PrimaryIsBehindAsync(cancellationToken).ConfigureAwait(false) && PrimaryMayTakeWrites()))
            {
                try
                {
                    var result = await WriteToPrimaryAsync(write, cancellationToken).ConfigureAwait(false);
                    await JournalAsync(operation, _secondaryJournal, _secondary.Name, journaled(result), InnerStore.Name).ConfigureAwait(false);
                    ServingScope.RecordWrite(InnerStore.Name, durableIn: InnerStore.Name, queuedFor: _secondary.Name);
                    return result;
                }
                catch (VectorStoreException error) when (journaledPart is not null && error.WrittenIds.Count > 0 && (_primaryJournal is null || !error.IsTransient))
                {
                    if (journaledPart(error) is { } part)
                    {
                        await JournalAsync(operation, _secondaryJournal, _secondary.Name, part, InnerStore.Name).ConfigureAwait(false);
                    }

                    throw;
                }
                catch (Exception ex) when (_primaryJournal is not null && !cancellationToken.IsCancellationRequested && StoreFailures.IsTransient(ex))
                {
                    primaryError = ex;
                    _health?.For(InnerStore.Name).RecordFailure(StoreFailures.Describe(ex));
                }
            }

            // The primary is down or behind: the fallback takes the write, the primary's journal keeps it.
            await DrainSecondaryJournalAsync(operation, primaryError, cancellationToken).ConfigureAwait(false);
            T fallbackResult;
            try
            {
                fallbackResult = await write(_secondary, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (primaryError is not null && ex is not OperationCanceledException && ex is not ArgumentException)
            {
                throw new VectorStoreException(
                    InnerStore.Name,
                    StoreFailures.KindOf(primaryError),
                    $"{operation} failed on '{InnerStore.Name}' ({StoreFailures.Describe(primaryError)}) and on fallback '{_secondary.Name}' "
                    + $"({StoreFailures.Describe(ex)}); it was not acknowledged.",
                    new AggregateException(primaryError, ex));
            }

            // The whole write, not only what the fallback reports: the primary must end with what the caller asked for.
            await JournalAsync(operation, _primaryJournal, InnerStore.Name, whole, _secondary.Name).ConfigureAwait(false);
            ServingScope.Record(_secondary.Name, fallbackUsed: true, primaryError is null ? $"writes are queued for '{InnerStore.Name}'" : StoreFailures.Describe(primaryError));
            ServingScope.RecordWrite(_secondary.Name, durableIn: _secondary.Name, queuedFor: InnerStore.Name);
            return fallbackResult;
        }
    }

    /// <summary>True while writes wait in the primary's journal: new ones must queue behind them.</summary>
    private async Task<bool> PrimaryIsBehindAsync(CancellationToken cancellationToken)
        => _primaryJournal is not null && (await _primaryJournal.GetCountsAsync(cancellationToken).ConfigureAwait(false)).Pending > 0;

    private bool PrimaryMayTakeWrites() => _health is null || !_health.For(InnerStore.Name).IsOpen;

    private async Task<T> WriteToPrimaryAsync<T>(Func<IVectorStore, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        if (_primaryJournal is null)
        {
            return await write(InnerStore, cancellationToken).ConfigureAwait(false);
        }

        // With somewhere to queue the write, a primary that hangs must not hold the caller: its journal replays the
        // write later, in order, whether or not this attempt landed.
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.PrimaryWriteTimeout);
        try
        {
            return await write(InnerStore, attempt.Token).WaitAsync(attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Store '{InnerStore.Name}' did not take the write within {_options.PrimaryWriteTimeout.TotalMilliseconds:0} ms.", ex);
        }
    }

    private async Task DrainSecondaryJournalAsync(string operation, Exception? primaryError, CancellationToken cancellationToken)
    {
        if ((await _secondaryJournal.GetCountsAsync(cancellationToken).ConfigureAwait(false)).Pending == 0)
        {
            return;
        }

        if (_replayer is null || !await _replayer.DrainAsync(_secondary.Name, cancellationToken).ConfigureAwait(false))
        {
            throw new VectorStoreException(
                InnerStore.Name,
                primaryError is null ? VectorStoreErrorKind.Unavailable : StoreFailures.KindOf(primaryError),
                $"{operation} was not acknowledged: '{InnerStore.Name}' cannot take it"
                + (primaryError is null ? "" : $" ({StoreFailures.Describe(primaryError)})")
                + $" and '{_secondary.Name}' has older journaled writes it could not apply yet; retry later.",
                primaryError);
        }
    }

    private async Task JournalAsync(string operation, IWriteJournal journal, string target, JournaledWrite write, string appliedTo)
    {
        long sequence;
        try
        {
            // Not the caller's token: one store already has this write, so it must reach the journal even if the
            // caller stops waiting now.
            sequence = await journal.AppendAsync(write, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new VectorStoreException(
                appliedTo,
                VectorStoreErrorKind.Internal,
                $"{operation} reached '{appliedTo}' but could not be journaled for '{target}', so it was not "
                + $"acknowledged; retry it. ({ex.GetType().Name}: {ex.Message})",
                ex);
        }

        LogJournaled(_logger, operation, write.Namespace, sequence, target);
        _replayer?.NotifyAppended(target);
    }

    private static VectorRecord[] WrittenRecords(IReadOnlyList<VectorRecord> records, IReadOnlyList<string> writtenIds)
    {
        var written = writtenIds.ToHashSet(StringComparer.Ordinal);
        return [.. records.Where(r => written.Contains(r.Id))];
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Journaled {Operation} in namespace '{Namespace}' as #{Sequence} for {Target}")]
    private static partial void LogJournaled(ILogger logger, string operation, string @namespace, long sequence, string target);
}
