using System.Runtime.CompilerServices;
using RagFood.Core.VectorStores;
using RagFood.Tests.Shared;

namespace RagFood.Core.Tests.VectorStores;

/// <summary>Dual writes on disjoint records run side by side (so their journal appends can share a group commit);
/// writes that share a record, or that cannot name their records, never overlap.</summary>
public sealed class DualWriteOrderingTests
{
    private static readonly FallbackVectorStoreOptions Dual = new()
    {
        WriteMode = WriteMode.Dual,
        ReplayInitialBackoff = TimeSpan.FromMilliseconds(1),
        ReplayMaxBackoff = TimeSpan.FromMilliseconds(4),
    };

    private readonly FaultInjectingVectorStore _secondary = new("chroma");
    private readonly InMemoryWriteJournal _journal = new();

    private static UpsertRequest One(string id, string text) => new([new VectorRecord(id) { Text = text }]);

    [Fact]
    public async Task Writes_to_different_records_reach_the_primary_at_the_same_time()
    {
        // The primary holds each upsert until two are inside it at once: serialised writes would never get there.
        var primary = await WriteThenReplayAsync(new OverlapProbe(new FaultInjectingVectorStore("sqlite"), holdUntilInFlight: 2),
            store => [store.UpsertAsync(One("a", "first")), store.UpsertAsync(One("b", "second"))]);

        Assert.Equal(2, primary.MaxInFlight);
    }

    [Fact]
    public async Task Writes_to_one_record_never_overlap_and_both_stores_end_with_the_last_acknowledged_version()
    {
        var primary = await WriteThenReplayAsync(new OverlapProbe(new FaultInjectingVectorStore("sqlite")),
            store => Enumerable.Range(0, 16).Select(i => store.UpsertAsync(One("same", $"version {i}"))));

        Assert.Equal(1, primary.MaxInFlight);
    }

    [Fact]
    public async Task A_delete_by_prefix_waits_for_every_write_in_flight_and_holds_back_the_next()
    {
        var primary = await WriteThenReplayAsync(new OverlapProbe(new FaultInjectingVectorStore("sqlite")), store =>
        [
            .. Enumerable.Range(0, 8).Select(i => store.UpsertAsync(One($"r{i}", "text"))),
            store.DeleteAsync(new DeleteRequest { Prefix = "r" }),
            .. Enumerable.Range(8, 8).Select(i => store.UpsertAsync(One($"r{i}", "text"))),
        ]);

        Assert.False(primary.DeleteOverlapped);
    }

    /// <summary>Starts the writes together through a dual-write composition over <paramref name="primary"/>, waits for
    /// them, replays the journal, and checks both stores ended equal.</summary>
    private async Task<OverlapProbe> WriteThenReplayAsync(OverlapProbe primary, Func<ComposedFallback, IEnumerable<Task>> writes)
    {
        using var store = new ComposedFallback(primary, _secondary, Dual, _journal);
        await Task.WhenAll(writes(store).ToList());
        await store.ReplayPendingAsync();
        Assert.Equal(primary.InnerSnapshot(), _secondary.Snapshot());
        return primary;
    }

    /// <summary>Counts writes inside the primary at once; each stays a little while (or until
    /// <c>holdUntilInFlight</c> are inside), so overlapping writes would be seen.</summary>
    private sealed class OverlapProbe(FaultInjectingVectorStore inner, int holdUntilInFlight = 0) : DelegatingVectorStore(inner)
    {
        private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private readonly StrongBox<int> _deletesInFlight = new();
        private readonly StrongBox<int> _upsertsInFlight = new();
        private volatile bool _deleteOverlapped;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public bool DeleteOverlapped => _deleteOverlapped;

        public string InnerSnapshot() => inner.Snapshot();

        public override Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
            => KindAsync(_upsertsInFlight, _deletesInFlight, () => base.UpsertAsync(request, cancellationToken));

        public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
            => KindAsync(_deletesInFlight, _upsertsInFlight, () => base.DeleteAsync(request, cancellationToken));

        /// <summary>Counts the call among its kind and notes whether the other kind (upserts vs deletes) was in flight.</summary>
        private async Task<T> KindAsync<T>(StrongBox<int> mine, StrongBox<int> other, Func<Task<T>> call)
        {
            Interlocked.Increment(ref mine.Value);
            try
            {
                _deleteOverlapped |= Volatile.Read(ref other.Value) > 0;
                return await InsideAsync(call);
            }
            finally
            {
                Interlocked.Decrement(ref mine.Value);
            }
        }

        private async Task<T> InsideAsync<T>(Func<Task<T>> call)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            try
            {
                if (holdUntilInFlight > 0)
                {
                    if (now >= holdUntilInFlight)
                    {
                        _enough.TrySetResult();
                    }

                    // A bound, not a timing: serialised writes would wait here forever.
                    await _enough.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                else
                {
                    await Task.Delay(2);
                }

                return await call();
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
