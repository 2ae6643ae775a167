using System.Buffers;
using System.Collections.Immutable;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// <para>Readers take the current snapshot and never lock. Vectors live in chunks of <see cref="RecordsPerChunk"/>
/// records, dimension-major: each dimension is a contiguous column of one float per record
/// (<c>chunk[d * stride + row]</c>). A scan then reads only the columns of the query's non-zero coordinates (see
/// <see cref="ColumnDotKernel"/>), which for the sparse questions of the hashing embedder is a few percent of the
/// bytes, while a dense query still streams the chunk front to back. Chunks have a stride of
/// <see cref="RecordsPerChunk"/> rows, except the only chunk of a namespace of fewer records, whose stride is its row
/// count rounded up to <see cref="RowGranularity"/>: its columns then sit back to back (a dense scan of a small
/// namespace, all of it in that chunk, skips no gaps) and a handful of records do not hold a 4 MB block. A partial
/// last chunk after full ones keeps the full stride, so appends keep sharing it instead of regrowing it.</para>
/// <para>A write copies only what it changes: the slot arrays (references and longs, not vectors), and a vector
/// chunk only when a visible slot in it is overwritten or the last chunk must grow. Appends that fit in the last
/// chunk write past the end of the previous snapshot's slots (rows no reader of that snapshot looks at), so they
/// share it.</para>
/// <para>Slots are in sequence order (appends take the next sequence, overwrites keep theirs), so scanning
/// slots in order and keeping the earlier slot on equal scores gives stable ties in insertion order.
/// Deleted slots become tombstones (<c>null</c>) until a compaction rewrites the chunks.</para>
/// </remarks>
internal sealed class NamespaceIndex
{
    public const int RecordsPerChunk = 1024;

    /// <summary>A lone partial chunk's stride is its row count rounded up to this: one 64-byte cache line of floats.</summary>
    public const int RowGranularity = 16;

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

    /// <summary>Vector chunks of <c>stride * Dimension</c> floats (see <see cref="ChunkStride"/>), dimension-major:
    /// coordinate <c>d</c> of slot <c>s</c> is <c>Chunks[s / RecordsPerChunk][d * stride + s % RecordsPerChunk]</c>.
    /// Of a chunk holding <c>rows</c> slots (<see cref="ChunkRows"/>), the first <c>rows</c> floats of each column
    /// are in use.</summary>
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

    /// <summary>Floats per column of chunk <paramref name="chunkIndex"/>: <see cref="RecordsPerChunk"/> except for a
    /// partly filled last chunk.</summary>
    public int ChunkStride(int chunkIndex) => Chunks[chunkIndex].Length / Dimension;

    /// <summary>Slots (tombstones included) held by chunk <paramref name="chunkIndex"/>.</summary>
    public int ChunkRows(int chunkIndex) => Math.Min(SlotCount - (chunkIndex * RecordsPerChunk), RecordsPerChunk);

    /// <summary>The stride of chunk <paramref name="chunkIndex"/> when it is the last one and holds
    /// <paramref name="rows"/> slots: trimmed for the first chunk, full size after it.</summary>
    internal static int StrideFor(int chunkIndex, int rows) => chunkIndex == 0
        ? Math.Min(RecordsPerChunk, (rows + RowGranularity - 1) / RowGranularity * RowGranularity)
        : RecordsPerChunk;

    /// <summary>The unit vector of a slot, gathered from its chunk's columns.</summary>
    public float[] CopyVector(int slot)
    {
        var vector = new float[Dimension];
        CopyVector(slot, vector);
        return vector;
    }

    /// <summary>Writes the unit vector of a slot into <paramref name="destination"/> (<see cref="Dimension"/> floats).</summary>
    public void CopyVector(int slot, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)SlotCount, nameof(slot));
        var chunk = Chunks[slot / RecordsPerChunk];
        GatherRow(chunk, chunk.Length / Dimension, slot % RecordsPerChunk, destination[..Dimension]);
    }

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
        CheckQuery(query);
        var indexBuffer = ArrayPool<int>.Shared.Rent(Dimension);
        var weightBuffer = ArrayPool<float>.Shared.Rent(Dimension);
        try
        {
            return TopK(QueryTerms.Collect(query, indexBuffer, weightBuffer), topK, filter, cancellationToken);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(weightBuffer);
            ArrayPool<int>.Shared.Return(indexBuffer);
        }
    }

    private ScanHit[] TopK(QueryTerms terms, int topK, MetadataFilter? filter, CancellationToken cancellationToken)
    {
        var heap = new TopKHeap(Math.Min(topK, Math.Max(LiveCount, 1)));
        var slots = Slots;
        Span<float> scores = stackalloc float[RecordsPerChunk];
        for (var chunkIndex = 0; chunkIndex * RecordsPerChunk < SlotCount; chunkIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var first = chunkIndex * RecordsPerChunk;
            var rows = ChunkRows(chunkIndex);
            var chunkScores = scores[..rows];
            // Tombstones are scored too: the kernel runs whole columns, and skipping rows inside them gains nothing.
            ColumnDotKernel.Score(Chunks[chunkIndex], ChunkStride(chunkIndex), terms, chunkScores);
            var row = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                // Once the heap is full, most rows score at or below its worst hit: skip them eight at a time and offer
                // only the rows above it, still in slot order (Offer re-checks, as each addition raises the bar).
                for (; row + Vector256<float>.Count <= rows; row += Vector256<float>.Count)
                {
                    var block = Vector256.Create(chunkScores.Slice(row, Vector256<float>.Count));
                    var candidates = heap.IsFull
                        ? Vector256.GreaterThan(block, Vector256.Create(heap.WorstScore)).ExtractMostSignificantBits()
                        : 0xFFu;
                    for (; candidates != 0; candidates &= candidates - 1)
                    {
                        var candidate = row + BitOperations.TrailingZeroCount(candidates);
                        Offer(ref heap, chunkScores[candidate], first + candidate, slots, filter);
                    }
                }
            }

            for (; row < rows; row++)
            {
                Offer(ref heap, chunkScores[row], first + row, slots, filter);
            }
        }

        return heap.ToSortedArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(ref TopKHeap heap, float cosine, int slot, IndexedRecord?[] slots, MetadataFilter? filter)
    {
        // Strictly better only: an equal score from a later slot loses, which keeps ties in insertion order.
        if (heap.WouldAccept(cosine) && slots[slot] is { } record && (filter is null || filter.Matches(record.Metadata)))
        {
            heap.Add(cosine, slot);
        }
    }

    /// <summary>The scan of <see cref="Search"/> (the same query terms and kernel) without the top-k heap, filters or
    /// result building, for the benchmark.</summary>
    /// <returns>The best cosine, so the work cannot be optimised away.</returns>
    public float RawScan(ReadOnlySpan<float> query)
    {
        CheckQuery(query);
        var indexBuffer = ArrayPool<int>.Shared.Rent(Dimension);
        var weightBuffer = ArrayPool<float>.Shared.Rent(Dimension);
        try
        {
            var terms = QueryTerms.Collect(query, indexBuffer, weightBuffer);
            var best = float.NegativeInfinity;
            Span<float> scores = stackalloc float[RecordsPerChunk];
            for (var chunkIndex = 0; chunkIndex * RecordsPerChunk < SlotCount; chunkIndex++)
            {
                var rows = ChunkRows(chunkIndex);
                ColumnDotKernel.Score(Chunks[chunkIndex], ChunkStride(chunkIndex), terms, scores[..rows]);
                best = MathF.Max(best, TensorPrimitives.Max(scores[..rows]));
            }

            return best;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(weightBuffer);
            ArrayPool<int>.Shared.Return(indexBuffer);
        }
    }

    private void CheckQuery(ReadOnlySpan<float> query)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException(
                $"The query has {query.Length} dimensions; namespace '{Name}' holds {Dimension}-dimensional vectors.", nameof(query));
        }
    }

    /// <summary>Reads row <paramref name="row"/> of a dimension-major chunk: one float from each column.</summary>
    private static void GatherRow(float[] chunk, int stride, int row, Span<float> destination)
    {
        for (var d = 0; d < destination.Length; d++)
        {
            destination[d] = chunk[(d * stride) + row];
        }
    }

    /// <summary>Writes row <paramref name="row"/> of a dimension-major chunk: one float into each column.</summary>
    private static void ScatterRow(ReadOnlySpan<float> source, float[] chunk, int stride, int row)
    {
        for (var d = 0; d < source.Length; d++)
        {
            chunk[(d * stride) + row] = source[d];
        }
    }

    /// <summary>A copy of a chunk with another stride (the first <c>min(old, new)</c> rows of each column).</summary>
    private static float[] Restride(float[] chunk, int dimension, int stride)
    {
        var oldStride = chunk.Length / dimension;
        var rows = Math.Min(oldStride, stride);
        var copy = new float[stride * dimension];
        for (var d = 0; d < dimension; d++)
        {
            chunk.AsSpan(d * oldStride, rows).CopyTo(copy.AsSpan(d * stride, rows));
        }

        return copy;
    }

    /// <summary>The chunk arrays only this snapshot holds, and the group-commit batch it was built in (0: none).</summary>
    /// <remarks>Valid only while the snapshot is the unpublished result of a write in that batch: the next write of the
    /// same batch may then update those chunks in place instead of copying them (see <see cref="ToBuilder(long)"/>).</remarks>
    private HashSet<int>? _privateChunks;
    private long _builtInBatch;

    public Builder ToBuilder() => new(this, batch: 0);

    /// <summary>A builder for a write inside group-commit batch <paramref name="batch"/> (non-zero). When this snapshot
    /// was itself built by an earlier write of the same batch, and so was never published, the builder takes over the
    /// chunks that snapshot alone holds instead of copying them again: one copy per chunk per batch, not per write.
    /// This snapshot must not be used afterwards; the batch discards it (and reruns its writes one by one) if a write
    /// fails.</summary>
    public Builder ToBuilder(long batch) => new(this, batch);

    /// <summary>Builds the next snapshot from this one; used only under the store's write lock, and done with once
    /// <see cref="Build"/> has run (the snapshot it returns shares the builder's chunks).</summary>
    internal sealed class Builder
    {
        /// <summary>Appended rows written to a chunk at once by <see cref="FlushStaged"/>: 256 bytes of each column.</summary>
        private const int StagedRows = 64;

        private readonly NamespaceIndex _base;
        private readonly List<float[]> _chunks;
        private readonly HashSet<int> _ownedChunks = [];
        private readonly ImmutableDictionary<string, int>.Builder _slotsById;
        private IndexedRecord?[] _slots;
        private long[] _sequences;
        private int _slotCount;
        private int _liveCount;
        private int _reservedSlotCount;

        // Appended vectors wait here, row-major, until a block of StagedRows consecutive slots is written column by
        // column: one run of stores per column per block instead of one store per column per record, each of them in
        // another 4 KB page. Rented on the first append, returned by Build.
        private float[]? _staged;
        private int _stagedPitch;
        private int _stagedFirst;
        private int _stagedCount;

        private readonly long _batch;

        public Builder(NamespaceIndex source, long batch)
        {
            _base = source;
            _batch = batch;
            if (batch != 0 && source._builtInBatch == batch && source._privateChunks is { } inherited)
            {
                _ownedChunks.UnionWith(inherited);
            }

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

        /// <summary>Announces that about <paramref name="count"/> records are going to be appended, so the chunks they
        /// land in are allocated at their final stride once instead of at full size and trimmed by <see cref="Build"/>.</summary>
        /// <remarks>Only a hint: appending more or fewer records is still correct, at the cost of one more copy of the
        /// last chunk.</remarks>
        public void ReserveAppends(int count) =>
            _reservedSlotCount = (int)Math.Min(Math.Max(_reservedSlotCount, (long)_slotCount + Math.Max(count, 0)), int.MaxValue);

        /// <summary>The sequence a record with this id will have: its current one, or the next free one.</summary>
        public long SequenceFor(string id) => _slotsById.TryGetValue(id, out var slot) ? _sequences[slot] : NextSequence;

        /// <summary>Inserts or overwrites (keeping the slot and sequence of an existing id).</summary>
        public void Upsert(string id, string? text, JsonElement? metadata, ReadOnlySpan<float> unitVector)
        {
            CheckDimension(unitVector);
            if (_slotsById.TryGetValue(id, out var slot))
            {
                _slots[slot] = new IndexedRecord(id, _sequences[slot], text, metadata);
                if (slot >= _stagedFirst && slot < _stagedFirst + _stagedCount)
                {
                    unitVector.CopyTo(_staged.AsSpan((slot - _stagedFirst) * _stagedPitch, _base.Dimension));
                }
                else
                {
                    WriteVector(slot, unitVector);
                }

                return;
            }

            slot = _slotCount++;
            EnsureSlotCapacity(_slotCount);
            var sequence = NextSequence++;
            _slots[slot] = new IndexedRecord(id, sequence, text, metadata);
            _sequences[slot] = sequence;
            _slotsById[id] = slot;
            _liveCount++;
            StageAppend(slot, unitVector);
        }

        /// <summary>Appends a record read from the file, keeping its stored sequence.</summary>
        /// <param name="record">The record; its sequence must be above every sequence appended before.</param>
        /// <param name="unitVector">Its unit vector (copied; the caller may reuse the buffer).</param>
        public void AppendLoaded(IndexedRecord record, ReadOnlySpan<float> unitVector)
        {
            CheckDimension(unitVector);
            var slot = _slotCount++;
            EnsureSlotCapacity(_slotCount);
            _slots[slot] = record;
            _sequences[slot] = record.Sequence;
            _slotsById[record.Id] = slot;
            _liveCount++;
            NextSequence = Math.Max(NextSequence, record.Sequence + 1);
            StageAppend(slot, unitVector);
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
            FlushStaged();
            if (_staged is not null)
            {
                ArrayPool<float>.Shared.Return(_staged);
                _staged = null;
            }

            var tombstones = _slotCount - _liveCount;
            if (tombstones > 0 && tombstones >= Math.Max(RecordsPerChunk, _liveCount / 4))
            {
                return Compact();
            }

            TrimLastChunk();
            return new NamespaceIndex(_base.Name, _base.Dimension, [.. _chunks], _slots, _sequences, _slotCount,
                _liveCount, NextSequence, _slotsById.ToImmutable())
            {
                // The chunks this builder made are held by the new snapshot alone (a trimmed last chunk is a new array too).
                _privateChunks = _batch == 0 ? null : [.. _ownedChunks],
                _builtInBatch = _batch,
            };
        }

        /// <summary>Rewrites live records into fresh chunks so tombstones stop costing scan time and memory.</summary>
        private NamespaceIndex Compact()
        {
            var dimension = _base.Dimension;
            var slots = new IndexedRecord?[_liveCount];
            var sequences = new long[_liveCount];
            var sources = new int[_liveCount];
            var ids = ImmutableDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
            var target = 0;
            for (var slot = 0; slot < _slotCount; slot++)
            {
                if (_slots[slot] is not { } record)
                {
                    continue;
                }

                slots[target] = record;
                sequences[target] = record.Sequence;
                sources[target] = slot;
                ids[record.Id] = target;
                target++;
            }

            // Column by column, each new chunk gathers its rows from ascending source slots: reads and writes both
            // walk forward through one column at a time instead of hopping a column's length per float.
            var chunks = new float[(target + RecordsPerChunk - 1) / RecordsPerChunk][];
            var fromChunk = new float[Math.Min(target, RecordsPerChunk)][];
            var fromStride = new int[fromChunk.Length];
            var fromRow = new int[fromChunk.Length];
            for (var chunkIndex = 0; chunkIndex < chunks.Length; chunkIndex++)
            {
                var rows = Math.Min(target - (chunkIndex * RecordsPerChunk), RecordsPerChunk);
                for (var row = 0; row < rows; row++)
                {
                    var source = sources[(chunkIndex * RecordsPerChunk) + row];
                    fromChunk[row] = _chunks[source / RecordsPerChunk];
                    fromStride[row] = fromChunk[row].Length / dimension;
                    fromRow[row] = source % RecordsPerChunk;
                }

                var stride = StrideFor(chunkIndex, rows);
                var chunk = chunks[chunkIndex] = new float[stride * dimension];
                for (var d = 0; d < dimension; d++)
                {
                    var column = chunk.AsSpan(d * stride, rows);
                    for (var row = 0; row < column.Length; row++)
                    {
                        column[row] = fromChunk[row][(d * fromStride[row]) + fromRow[row]];
                    }
                }
            }

            return new NamespaceIndex(_base.Name, dimension, chunks, slots, sequences, target, target, NextSequence,
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

        private void CheckDimension(ReadOnlySpan<float> unitVector)
        {
            if (unitVector.Length != _base.Dimension)
            {
                throw new ArgumentException(
                    $"The vector has {unitVector.Length} dimensions; namespace '{_base.Name}' holds {_base.Dimension}-dimensional vectors.",
                    nameof(unitVector));
            }
        }

        private void StageAppend(int slot, ReadOnlySpan<float> unitVector)
        {
            // A block is consecutive slots inside one chunk; appends take consecutive slots, so this only flushes at a
            // chunk boundary or when the block is full.
            if (_stagedCount > 0 && (slot != _stagedFirst + _stagedCount || slot % RecordsPerChunk == 0))
            {
                FlushStaged();
            }

            if (_staged is null)
            {
                // Rows an odd number of cache lines apart: reading one column down the block then touches one line in
                // each of StagedRows different L1 sets, where rows 4 KB apart would all fight over the same set.
                _stagedPitch = (_base.Dimension + 15) / 16 * 16;
                _stagedPitch += _stagedPitch / 16 % 2 == 0 ? 16 : 0;
                _staged = ArrayPool<float>.Shared.Rent(StagedRows * _stagedPitch);
            }

            if (_stagedCount == 0)
            {
                _stagedFirst = slot;
            }

            unitVector.CopyTo(_staged.AsSpan(_stagedCount * _stagedPitch, _base.Dimension));
            if (++_stagedCount == StagedRows)
            {
                FlushStaged();
            }
        }

        /// <summary>Writes the staged rows into their chunk, column by column.</summary>
        private void FlushStaged()
        {
            if (_stagedCount == 0)
            {
                return;
            }

            var dimension = _base.Dimension;
            var count = _stagedCount;
            _stagedCount = 0;
            // The block's last slot decides the chunk's size; its slots are all appends, so no reader sees them.
            var chunk = WritableChunk(_stagedFirst + count - 1);
            var stride = chunk.Length / dimension;
            var row = _stagedFirst % RecordsPerChunk;
            // Bounds for the unchecked loop: the block's rows are below the chunk's stride, and its count rows of
            // dimension floats are inside the staging buffer.
            ArgumentOutOfRangeException.ThrowIfGreaterThan(row + count, stride);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, StagedRows);
            var pitch = _stagedPitch;
            ref var staged = ref MemoryMarshal.GetArrayDataReference(_staged!);
            ref var target = ref MemoryMarshal.GetArrayDataReference(chunk);
            for (var d = 0; d < dimension; d++)
            {
                ref var column = ref Unsafe.Add(ref target, (d * stride) + row);
                for (var r = 0; r < count; r++)
                {
                    Unsafe.Add(ref column, r) = Unsafe.Add(ref staged, (r * pitch) + d);
                }
            }
        }

        private void WriteVector(int slot, ReadOnlySpan<float> unitVector)
        {
            var chunk = WritableChunk(slot);
            ScatterRow(unitVector, chunk, chunk.Length / _base.Dimension, slot % RecordsPerChunk);
        }

        /// <summary>The chunk of <paramref name="slot"/>, ready to write that slot's row: added, grown or copied as needed.</summary>
        private float[] WritableChunk(int slot)
        {
            var dimension = _base.Dimension;
            var chunkIndex = slot / RecordsPerChunk;
            var row = slot % RecordsPerChunk;
            while (_chunks.Count <= chunkIndex)
            {
                // Appends come in slot order, so a new chunk is the slot's own (any chunk before it fills up).
                var newRow = _chunks.Count == chunkIndex ? row : RecordsPerChunk - 1;
                _chunks.Add(new float[GrowthStride(_chunks.Count, newRow) * dimension]);
                _ownedChunks.Add(_chunks.Count - 1);
            }

            var chunk = _chunks[chunkIndex];
            if (row >= chunk.Length / dimension)
            {
                // An append past the last chunk's stride: grow it, into a new array so readers of the old one see no change.
                chunk = _chunks[chunkIndex] = Restride(chunk, dimension, GrowthStride(chunkIndex, row));
                _ownedChunks.Add(chunkIndex);
            }
            else if (slot < _base.SlotCount && _ownedChunks.Add(chunkIndex))
            {
                // A slot the previous snapshot can see must not change under its readers: copy the chunk once.
                chunk = _chunks[chunkIndex] = (float[])chunk.Clone();
            }

            return chunk;
        }

        /// <summary>The stride to give a chunk that must take row <paramref name="row"/>: the rows reserved for it by
        /// <see cref="ReserveAppends"/> if that is enough, else full size (and <see cref="Build"/> trims what is left).</summary>
        private int GrowthStride(int chunkIndex, int row)
        {
            var reservedRows = _reservedSlotCount - (chunkIndex * RecordsPerChunk);
            return reservedRows > row ? StrideFor(chunkIndex, reservedRows) : RecordsPerChunk;
        }

        /// <summary>Shrinks a lone first chunk's stride to its rows (see <see cref="StrideFor"/>), so a dense scan of a
        /// small namespace reads its columns back to back and the namespace does not hold a full-size chunk.</summary>
        /// <remarks>The trimmed chunk is a new array, so this is safe whether or not the builder owns the chunk.</remarks>
        private void TrimLastChunk()
        {
            if (_chunks.Count == 0)
            {
                return;
            }

            var dimension = _base.Dimension;
            var last = _chunks.Count - 1;
            var stride = StrideFor(last, _slotCount - (last * RecordsPerChunk));
            if (_chunks[last].Length > stride * dimension)
            {
                _chunks[last] = Restride(_chunks[last], dimension, stride);
            }
        }
    }
}
