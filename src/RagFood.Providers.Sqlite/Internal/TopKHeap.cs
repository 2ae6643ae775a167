namespace RagFood.Providers.Sqlite.Internal;

/// <summary>A bounded min-heap keeping the k best (score, slot) pairs seen by a scan.</summary>
/// <remarks>
/// The root is the worst kept hit: lowest score, and among equal scores the latest slot. Slots arrive in
/// increasing order, so refusing an equal score (<see cref="WouldAccept"/>) keeps the earlier record, and
/// the final sort by (score desc, slot asc) gives stable ties in insertion order.
/// </remarks>
internal struct TopKHeap
{
    private readonly ScanHit[] _items;
    private int _count;

    public TopKHeap(int capacity)
    {
        _items = new ScanHit[capacity];
        _count = 0;
    }

    public readonly bool WouldAccept(float score) => _count < _items.Length || score > _items[0].Cosine;

    /// <summary>True once k hits are kept: from then on only a score above <see cref="WorstScore"/> gets in.</summary>
    public readonly bool IsFull => _count == _items.Length;

    /// <summary>The lowest kept score (meaningful once anything is kept).</summary>
    public readonly float WorstScore => _items[0].Cosine;

    /// <summary>Adds a hit that <see cref="WouldAccept"/> approved.</summary>
    public void Add(float score, int slot)
    {
        var hit = new ScanHit(slot, score);
        if (_count < _items.Length)
        {
            _items[_count] = hit;
            SiftUp(_count++);
            return;
        }

        _items[0] = hit;
        SiftDown(0);
    }

    public readonly ScanHit[] ToSortedArray()
    {
        var result = _items.AsSpan(0, _count).ToArray();
        Array.Sort(result, static (a, b) => b.Cosine != a.Cosine ? b.Cosine.CompareTo(a.Cosine) : a.Slot.CompareTo(b.Slot));
        return result;
    }

    /// <summary>True when <paramref name="a"/> is worse than <paramref name="b"/> (belongs nearer the root).</summary>
    private static bool Worse(ScanHit a, ScanHit b) => a.Cosine < b.Cosine || (a.Cosine == b.Cosine && a.Slot > b.Slot);

    private readonly void SiftUp(int index)
    {
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Worse(_items[index], _items[parent]))
            {
                return;
            }

            (_items[index], _items[parent]) = (_items[parent], _items[index]);
            index = parent;
        }
    }

    private readonly void SiftDown(int index)
    {
        while (true)
        {
            var left = (2 * index) + 1;
            if (left >= _count)
            {
                return;
            }

            var worst = left;
            var right = left + 1;
            if (right < _count && Worse(_items[right], _items[left]))
            {
                worst = right;
            }

            if (!Worse(_items[worst], _items[index]))
            {
                return;
            }

            (_items[index], _items[worst]) = (_items[worst], _items[index]);
            index = worst;
        }
    }
}
