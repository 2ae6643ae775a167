namespace RagFood.Core.VectorStores;

/// <summary>An ordered outbox of acknowledged writes that one target store has yet to apply.</summary>
/// <remarks>
/// <para><see cref="DualWriteVectorStore"/> appends each write after one store applied it and before acknowledging the
/// caller; <see cref="JournalReplayer"/> applies entries to the target in <see cref="WriteJournalEntry.Sequence"/>
/// order, marking each done only after the target applied it.</para>
/// <para>Durability is the implementation's promise: when <see cref="AppendAsync"/> returns, the entry must survive a
/// killed process (the SQLite journal commits with <c>synchronous=FULL</c>); <see cref="InMemoryWriteJournal"/> keeps
/// nothing across restarts and is for tests.</para>
/// <para>Implementations are safe for concurrent use.</para>
/// </remarks>
public interface IWriteJournal
{
    /// <summary>Appends a write durably and returns its sequence number (greater than any before it).</summary>
    Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default);

    /// <summary>Returns up to <paramref name="maxCount"/> pending entries, lowest sequence first.</summary>
    /// <remarks>Parked entries (see <see cref="ParkAsync"/>) are not pending.</remarks>
    Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Removes an entry the secondary applied. Marking an unknown sequence is a no-op.</summary>
    Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default);

    /// <summary>Takes an entry the secondary can never apply out of the pending order, keeping it with the reason.</summary>
    /// <remarks>Parked entries are kept (nothing acknowledged is discarded) for an operator to inspect.</remarks>
    Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default);

    /// <summary>How many entries are pending and how many are parked.</summary>
    Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts, when the oldest pending entry was journaled, and up to <paramref name="maxParked"/> parked
    /// entries with their reasons (lowest sequence first).</summary>
    /// <remarks>The default reads the counts and the first pending entry and lists no parked entries.</remarks>
    async Task<JournalBacklog> GetBacklogAsync(int maxParked, CancellationToken cancellationToken = default)
    {
        var counts = await GetCountsAsync(cancellationToken).ConfigureAwait(false);
        var first = counts.Pending == 0 ? [] : await ReadPendingAsync(1, cancellationToken).ConfigureAwait(false);
        return new JournalBacklog(counts, first.Count == 0 ? null : first[0].JournaledAt, []);
    }
}

/// <summary>Hands out the journal that holds the pending writes of one target store.</summary>
/// <remarks>Asking twice for the same store returns the same journal.</remarks>
public interface IWriteJournalFactory
{
    /// <summary>The journal of writes <paramref name="targetStore"/> (a store's <see cref="IVectorStore.Name"/>) has yet to apply.</summary>
    IWriteJournal For(string targetStore);
}

/// <summary><see cref="InMemoryWriteJournal"/>s by target; nothing survives the process (tests, benchmarks).</summary>
public sealed class InMemoryWriteJournalFactory(TimeProvider? timeProvider = null) : IWriteJournalFactory
{
    private readonly Dictionary<string, InMemoryWriteJournal> _journals = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public IWriteJournal For(string targetStore)
    {
        lock (_journals)
        {
            if (!_journals.TryGetValue(targetStore, out var journal))
            {
                journal = new InMemoryWriteJournal(timeProvider);
                _journals.Add(targetStore, journal);
            }

            return journal;
        }
    }
}

/// <summary>What a journal holds for its target, for Info, health and metrics.</summary>
/// <param name="Counts">Pending and parked entries.</param>
/// <param name="OldestPendingAt">When the oldest pending entry was journaled; <c>null</c> when none is pending.</param>
/// <param name="ParkedEntries">Parked entries with their reasons (possibly only the first few).</param>
public sealed record JournalBacklog(WriteJournalCounts Counts, DateTimeOffset? OldestPendingAt, IReadOnlyList<ParkedJournalEntry> ParkedEntries);

/// <summary>An entry its target refused as invalid, kept for an operator.</summary>
public sealed record ParkedJournalEntry(long Sequence, string Operation, string Namespace, string Reason, DateTimeOffset? ParkedAt);

/// <summary>Entry counts of a <see cref="IWriteJournal"/>.</summary>
/// <param name="Pending">Waiting to be applied to the secondary.</param>
/// <param name="Parked">Refused by the secondary as invalid; kept for inspection, not replayed.</param>
public readonly record struct WriteJournalCounts(long Pending, long Parked);
