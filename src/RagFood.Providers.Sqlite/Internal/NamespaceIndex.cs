using System.Collections.Immutable;
using System.Numerics.Tensors;
using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>One live record as the index holds it; immutable, shared between snapshots.</summary>
internal sealed record IndexedRecord(string Id, long Sequence, string? Text, JsonElement? Metadata);

/// <summary>A scan hit: the slot of the record and its cosine similarity to the query.</summary>
internal readonly record struct ScanHit(int Slot, float Cosine);

/// <summary>
/// An immutable snapshot of one namespace: records in insertion order with their unit vectors.
/// </summary>
/// <remarks>
/// <para>Readers take the current snapshot and never lock. Vectors live in fixed-size chunks
/// (<see cref="RecordsPerChunk"/> records each, row-major), so a scan walks long contiguous runs of floats
/// and a write copies only what it changes: the slot arrays (references and longs, not vectors), and a
/// vector chunk only when a visible slot in it is overwritten. Appends write past the end of the previous
/// snapshot's slots, which no reader of that snapshot looks at, so they share the last chunk.</para>
/// <para>Slots are in sequence order (appends take the next sequence, overwrites keep theirs), so scanning
/// slots in order and keeping the earlier slot on equal scores gives stable ties in insertion order.
/// Deleted slots become tombstones (<c>null</c>) until a compaction rewrites the chunks.</para>
/// </remarks>
internal sealed class NamespaceIndex
{
    public const int RecordsPerChunk = 1024;

    private NamespaceIndex(
        string name, int dimension, float[][] chunks, IndexedRecord?[] slots, long[] sequences, int slotCount,
        int liveCount, long nextSequence, ImmutableDictionary<string, int> slotsById)
    {
        Name = name;
        Dimension = dimension;
        Chunks = chunks;
        Slots = slots;
        Sequences = sequences;
        SlotCount = slotCount;
        LiveCount = liveCount;
        NextSequence = nextSequence;
        SlotsById = slotsById;
    }

    public string Name { get; }

    public int Dimension { get; }

    /// <summary>Vector chunks; slot <c>s</c> lives in <c>Chunks[s / RecordsPerChunk]</c> at row <c>s % RecordsPerChunk</c>.</summary>
    public float[][] Chunks { get; }

    /// <summary>Records by slot (only the first <see cref="SlotCount"/> are meaningful); <c>null</c> = deleted.</summary>
    public IndexedRecord?[] Slots { get; }

    /// <summary>Sequence per slot, kept for tombstones too so range can binary-search.</summary>
    public long[] Sequences { get; }

    public int SlotCount { get; }

    public int LiveCount { get; }

    /// <summary>The sequence the next new id will get.</summary>
    public long NextSequence { get; }

    public ImmutableDictionary<string, int> SlotsById { get; }

    public static NamespaceIndex Empty(string name, int dimension, long nextSequence = 0) =>
        new(name, dimension, [], [], [], 0, 0, nextSequence, ImmutableDictionary.Create<string, int>(StringComparer.Ordinal));

    public IndexedRecord? Find(string id) => SlotsById.TryGetValue(id, out var slot) ? Slots[slot] : null;

    public ReadOnlySpan<float> VectorAt(int slot) =>
        Chunks[slot / RecordsPerChunk].AsSpan(slot % RecordsPerChunk * Dimension, Dimension);

    public float[] CopyVector(int slot) => VectorAt(slot).ToArray();

    /// <summary>The first slot whose sequence is at least <paramref name="sequence"/> (or <see cref="SlotCount"/>).</summary>
    public int FirstSlotAtOrAfter(long sequence)
    {
        var index = Array.BinarySearch(Sequences, 0, SlotCount, sequence);
        return index >= 0 ? index : ~index;
    }

    /// <summary>Exact top-k by dot product over unit vectors (= cosine), best first, ties in insertion order.</summary>
    /// <param name="query">A unit vector of <see cref="Dimension"/> floats.</param>
    /// <param name="topK">How many hits at most.</param>
    /// <param name="filter">Evaluated only for records that would enter the current top k.</param>
    /// <param name="cancellationToken">Checked once per chunk.</param>
    public ScanHit[] Search(ReadOnlySpan<float> query, int topK, MetadataFilter? filter, CancellationToken cancellationToken)
    {
        var heap = new TopKHeap(Math.Min(topK, Math.Max(LiveCount, 1)));
        var dimension = Dimension;
        var slots = Slots;
        Span<float> scores = stackalloc float[RecordsPerChunk];
        for (var chunkIndex = 0; chunkIndex * RecordsPerChunk < SlotCount; chunkIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var first = chunkIndex * RecordsPerChunk;
            var rows = Math.Min(SlotCount - first, RecordsPerChunk);
            var chunkScores = scores[..rows];
            // Tombstones are scored too: skipping them would break the four-row kernel's stride for no gain.
            DotKernel.DotRows(Chunks[chunkIndex].AsSpan(0, rows * dimension), query, chunkScores);
            for (var row = 0; row < rows; row++)
            {
                var cosine = chunkScores[row];
                // Strictly better only: an equal score from a later slot loses, which keeps ties in insertion order.
                if (heap.WouldAccept(cosine) && slots[first + row] is { } record
                    && (filter is null || filter.Matches(record.Metadata)))
                {
                    heap.Add(cosine, first + row);
                }
            }
        }

        return heap.ToSortedArray();
    }

    /// <summary>The scan of <see cref="Search"/> without filters or result building, for the benchmark.</summary>
    /// <returns>The best cosine, so the work cannot be optimised away.</returns>
    public float RawScan(ReadOnlySpan<float> query)
    {
        var best = float.NegativeInfinity;
        Span<float> scores = stackalloc float[RecordsPerChunk];
        for (var chunkIndex = 0; chunkIndex * RecordsPerChunk < SlotCount; chunkIndex++)
        {
            var rows = Math.Min(SlotCount - (chunkIndex * RecordsPerChunk), RecordsPerChunk);
            DotKernel.DotRows(Chunks[chunkIndex].AsSpan(0, rows * Dimension), query, scores[..rows]);
            best = MathF.Max(best, TensorPrimitives.Max(scores[..rows]));
        }

        return best;
    }

    public Builder ToBuilder() => new(this);

    /// <summary>Builds the next snapshot from this one; used only under the store's write lock.</summary>
    internal sealed class Builder
    {
        private readonly NamespaceIndex _base;
        private readonly List<float[]> _chunks;
        private readonly HashSet<int> _ownedChunks = [];
        private readonly ImmutableDictionary<string, int>.Builder _slotsById;
        private IndexedRecord?[] _slots;
        private long[] _sequences;
        private int _slotCount;
        private int _liveCount;

        public Builder(NamespaceIndex source)
        {
            _base = source;
            _chunks = [.. source.Chunks];
            _slots = (IndexedRecord?[])source.Slots.Clone();
            _sequences = (long[])source.Sequences.Clone();
            _slotCount = source.SlotCount;
            _liveCount = source.LiveCount;
            NextSequence = source.NextSequence;
            _slotsById = source.SlotsById.ToBuilder();
        }

        public long NextSequence { get; private set; }

        public int LiveCount => _liveCount;

        public IndexedRecord? Find(string id) => _slotsById.TryGetValue(id, out var slot) ? _slots[slot] : null;

        /// <summary>The sequence a record with this id will have: its current one, or the next free one.</summary>
        public long SequenceFor(string id) => _slotsById.TryGetValue(id, out var slot) ? _sequences[slot] : NextSequence;

        /// <summary>Inserts or overwrites (keeping the slot and sequence of an existing id).</summary>
        public void Upsert(string id, string? text, JsonElement? metadata, ReadOnlySpan<float> unitVector)
        {
            if (_slotsById.TryGetValue(id, out var slot))
            {
                _slots[slot] = new IndexedRecord(id, _sequences[slot], text, metadata);
                unitVector.CopyTo(WritableRow(slot));
                return;
            }

            slot = _slotCount++;
            EnsureSlotCapacity(_slotCount);
            var sequence = NextSequence++;
            _slots[slot] = new IndexedRecord(id, sequence, text, metadata);
            _sequences[slot] = sequence;
            _slotsById[id] = slot;
            _liveCount++;
            unitVector.CopyTo(WritableRow(slot));
        }

        /// <summary>Fills a row straight from the file's bytes, avoiding a float[] per record while loading.</summary>
        public Span<float> AppendLoadedRow(IndexedRecord record)
        {
            var slot = _slotCount++;
            EnsureSlotCapacity(_slotCount);
            _slots[slot] = record;
            _sequences[slot] = record.Sequence;
            _slotsById[record.Id] = slot;
            _liveCount++;
            NextSequence = Math.Max(NextSequence, record.Sequence + 1);
            return WritableRow(slot);
        }

        public bool Remove(string id)
        {
            if (!_slotsById.Remove(id, out var slot))
            {
                return false;
            }

            _slots[slot] = null;
            _liveCount--;
            return true;
        }

        public NamespaceIndex Build()
        {
            var tombstones = _slotCount - _liveCount;
            if (tombstones > 0 && tombstones >= Math.Max(RecordsPerChunk, _liveCount / 4))
            {
                return Compact();
            }

            return new NamespaceIndex(_base.Name, _base.Dimension, [.. _chunks], _slots, _sequences, _slotCount,
                _liveCount, NextSequence, _slotsById.ToImmutable());
        }

        /// <summary>Rewrites live records into fresh chunks so tombstones stop costing scan time and memory.</summary>
        private NamespaceIndex Compact()
        {
            var dimension = _base.Dimension;
            var chunks = new List<float[]>();
            var slots = new IndexedRecord?[_liveCount];
            var sequences = new long[_liveCount];
            var ids = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
            var target = 0;
            for (var slot = 0; slot < _slotCount; slot++)
            {
                var record = _slots[slot];
                if (record is null)
                {
                    continue;
                }

                if (target % RecordsPerChunk == 0)
                {
                    chunks.Add(new float[RecordsPerChunk * dimension]);
                }

                _chunks[slot / RecordsPerChunk].AsSpan(slot % RecordsPerChunk * dimension, dimension)
                    .CopyTo(chunks[^1].AsSpan(target % RecordsPerChunk * dimension, dimension));
                slots[target] = record;
                sequences[target] = record.Sequence;
                ids[record.Id] = target;
                target++;
            }

            return new NamespaceIndex(_base.Name, dimension, [.. chunks], slots, sequences, target, target, NextSequence,
                ids.ToImmutable());
        }

        private void EnsureSlotCapacity(int count)
        {
            if (count <= _slots.Length)
            {
                return;
            }

            var capacity = Math.Max(count, Math.Max(16, _slots.Length * 2));
            Array.Resize(ref _slots, capacity);
            Array.Resize(ref _sequences, capacity);
        }

        private Span<float> WritableRow(int slot)
        {
            var dimension = _base.Dimension;
            var chunkIndex = slot / RecordsPerChunk;
            while (_chunks.Count <= chunkIndex)
            {
                _chunks.Add(new float[RecordsPerChunk * dimension]);
                _ownedChunks.Add(_chunks.Count - 1);
            }

            // A slot the previous snapshot can see must not change under its readers: copy the chunk once.
            if (slot < _base.SlotCount && _ownedChunks.Add(chunkIndex))
            {
                _chunks[chunkIndex] = (float[])_chunks[chunkIndex].Clone();
            }

            return _chunks[chunkIndex].AsSpan(slot % RecordsPerChunk * dimension, dimension);
        }
    }
}
