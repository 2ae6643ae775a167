namespace RagFood.Core.VectorStores;

/// <summary>A <see cref="IWriteJournal"/> held in memory: ordered and thread-safe, but not durable.</summary>
/// <remarks>Entries are stored as deep copies (through <see cref="JournaledWrite.ToJson"/>), so they outlive the
/// caller's objects. Everything is lost with the process, so it does not keep the <see cref="WriteMode.Dual"/> promise across
/// restarts; use it in tests, or where losing the secondary's backlog on restart is acceptable.</remarks>
public sealed class InMemoryWriteJournal(TimeProvider? timeProvider = null) : IWriteJournal
{
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, WriteJournalEntry> _pending = [];
    private readonly Dictionary<long, (WriteJournalEntry Entry, string Reason)> _parked = [];
    private long _lastSequence;

    /// <summary>Parked entries with their reasons, lowest sequence first.</summary>
    public IReadOnlyList<(WriteJournalEntry Entry, string Reason)> Parked
    {
        get
        {
            lock (_gate)
            {
                return [.. _parked.Values.OrderBy(p => p.Entry.Sequence)];
            }
        }
    }

    public Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        // A deep copy through the journal's JSON form, as a durable journal would store it: the caller's records may
        // hold metadata from a JsonDocument it disposes after the write returns.
        var copy = JournaledWrite.FromJson(write.ToJson());
        lock (_gate)
        {
            var sequence = ++_lastSequence;
            _pending.Add(sequence, new WriteJournalEntry(sequence, copy, _timeProvider.GetUtcNow()));
            return Task.FromResult(sequence);
        }
    }

    public Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<WriteJournalEntry>>([.. _pending.Values.Take(maxCount)]);
        }
    }

    public Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _pending.Remove(sequence);
        }

        return Task.CompletedTask;
    }

    public Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_pending.Remove(sequence, out var entry))
            {
                _parked[sequence] = (entry, reason);
            }
        }

        return Task.CompletedTask;
    }

    public Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(new WriteJournalCounts(_pending.Count, _parked.Count));
        }
    }

    /// <inheritdoc/>
    public Task<JournalBacklog> GetBacklogAsync(int maxParked, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var oldest = _pending.Count == 0 ? (DateTimeOffset?)null : _pending.First().Value.JournaledAt;
            var parked = _parked.Values.OrderBy(p => p.Entry.Sequence).Take(maxParked)
                .Select(p => new ParkedJournalEntry(p.Entry.Sequence, p.Entry.Write.Operation.ToString(), p.Entry.Write.Namespace, p.Reason, null))
                .ToList();
            return Task.FromResult(new JournalBacklog(new WriteJournalCounts(_pending.Count, _parked.Count), oldest, parked));
        }
    }
}
