namespace RagFood.Core.VectorStores;

/// <summary>An ordered outbox of writes that the primary store acknowledged and the secondary has yet to apply.</summary>
/// <remarks>
/// <para><see cref="FallbackVectorStore"/> in <see cref="WriteMode.Dual"/> appends each write after the primary
/// acknowledged it and before acknowledging the caller, then replays entries to the secondary in
/// <see cref="WriteJournalEntry.Sequence"/> order, marking each done only after the secondary applied it.</para>
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
}

/// <summary>Entry counts of a <see cref="IWriteJournal"/>.</summary>
/// <param name="Pending">Waiting to be applied to the secondary.</param>
/// <param name="Parked">Refused by the secondary as invalid; kept for inspection, not replayed.</param>
public readonly record struct WriteJournalCounts(long Pending, long Parked);
