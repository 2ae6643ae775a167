namespace RagFood.UpstashEmulator;

/// <summary>The records of one namespace, kept in insertion order for range cursors.</summary>
/// <remarks>
/// Each record gets a sequence number when its id is first written; overwrites keep it, so a range scan never
/// sees a record twice. The cursor handed to clients is the sequence number of the next record to return
/// (decimal, as the real service's cursors look). Deletions leave tombstones that are compacted away lazily;
/// <see cref="Order"/> stays sorted by sequence number so a cursor is found by binary search.
/// Not thread-safe: the owning <see cref="VectorIndex"/> serialises access.
/// </remarks>
internal sealed class NamespaceData
{
    private readonly Dictionary<string, StoredRecord> _byId = new(StringComparer.Ordinal);
    private readonly List<StoredRecord> _order = [];
    private int _tombstones;

    public long NextSeq { get; private set; }

    public int Count => _byId.Count;

    public IEnumerable<StoredRecord> Live
    {
        get
        {
            foreach (var record in _order)
            {
                if (!record.Deleted)
                {
                    yield return record;
                }
            }
        }
    }

    public bool TryGet(string id, out StoredRecord record) => _byId.TryGetValue(id, out record!);

    /// <summary>Inserts or replaces; a replaced record keeps its position.</summary>
    public void Put(RecordInput input)
    {
        if (_byId.TryGetValue(input.Id, out var existing))
        {
            Replace(existing, ToStored(input, existing.Seq));
            return;
        }

        var record = ToStored(input, NextSeq++);
        _byId[input.Id] = record;
        _order.Add(record);
    }

    /// <summary>Replaces a live record with new content (same id and sequence number).</summary>
    public void Replace(StoredRecord existing, StoredRecord updated)
    {
        var position = Find(existing.Seq);
        _order[position] = updated;
        _byId[updated.Id] = updated;
    }

    public bool Remove(string id)
    {
        if (!_byId.Remove(id, out var existing))
        {
            return false;
        }

        _order[Find(existing.Seq)] = existing with { Deleted = true };
        _tombstones++;
        if (_tombstones > 1024 && _tombstones > _byId.Count)
        {
            _order.RemoveAll(r => r.Deleted);
            _tombstones = 0;
        }

        return true;
    }

    public void Clear()
    {
        _byId.Clear();
        _order.Clear();
        _tombstones = 0;
        NextSeq = 0;
    }

    /// <summary>Live records with sequence number ≥ <paramref name="fromSeq"/>, in order.</summary>
    public IEnumerable<StoredRecord> From(long fromSeq)
    {
        var lo = 0;
        var hi = _order.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_order[mid].Seq < fromSeq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < _order.Count; i++)
        {
            if (!_order[i].Deleted)
            {
                yield return _order[i];
            }
        }
    }

    /// <summary>Restores a record from a snapshot with its original sequence number.</summary>
    public void Restore(StoredRecord record, long nextSeq)
    {
        _byId[record.Id] = record;
        _order.Add(record);
        NextSeq = Math.Max(NextSeq, Math.Max(nextSeq, record.Seq + 1));
    }

    internal static StoredRecord ToStored(RecordInput input, long seq) => new(input.Id, seq)
    {
        Vector = input.Vector,
        Norm = input.Vector is null ? 0 : MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<float>(input.Vector, input.Vector)),
        Sparse = input.Sparse,
        Metadata = input.Metadata,
        Data = input.Data,
    };

    private int Find(long seq)
    {
        var lo = 0;
        var hi = _order.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var current = _order[mid].Seq;
            if (current == seq)
            {
                return mid;
            }

            if (current < seq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        throw new InvalidOperationException($"Record with sequence {seq} is not in the order list.");
    }
}
