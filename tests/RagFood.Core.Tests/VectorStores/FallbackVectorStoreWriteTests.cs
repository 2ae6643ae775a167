using RagFood.Tests.Shared;
using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

public sealed class FallbackVectorStoreWriteTests
{
    private static readonly FallbackVectorStoreOptions DualOptions = new()
    {
        WriteMode = WriteMode.Dual,
        ReplayInitialBackoff = TimeSpan.FromMilliseconds(1),
        ReplayMaxBackoff = TimeSpan.FromMilliseconds(4),
        ReplayMaxAttempts = 5,
        ReplayBatchSize = 2,
    };

    private readonly FaultInjectingVectorStore _primary = new("sqlite");
    private readonly FaultInjectingVectorStore _secondary = new("chroma");
    private readonly InMemoryWriteJournal _journal = new();

    private ComposedFallback CreateDual(FallbackVectorStoreOptions? options = null)
        => new(_primary, _secondary, options ?? DualOptions, _journal);

    private static UpsertRequest Upsert(string @namespace, params string[] ids)
        => new([.. ids.Select(id => new VectorRecord(id)
        {
            Text = $"text of {id}",
            Vector = [1f, 0.5f, 0.25f],
            Metadata = JsonDocument.Parse($$"""{"id":"{{id}}","tags":["a","b"]}""").RootElement,
        })])
        { Namespace = @namespace };

    [Fact]
    public async Task Primary_mode_writes_to_the_primary_only()
    {
        var store = new ComposedFallback(_primary, _secondary);
        using var scope = ServingScope.Begin();

        await store.UpsertAsync(Upsert("", "a"));
        await store.DeleteAsync(DeleteRequest.ByIds("a"));
        await store.ResetAsync("", all: true);

        Assert.Empty(_secondary.Calls);
        Assert.Equal(["Upsert", "Delete", "Reset"], _primary.Calls);
        Assert.Equal("sqlite", scope.StoreName);
        Assert.False(scope.FallbackUsed);
        Assert.Equal(0, await store.ReplayPendingAsync());
    }

    [Fact]
    public async Task Primary_mode_writes_never_fall_back_even_on_transient_failures()
    {
        var store = new ComposedFallback(_primary, _secondary);
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.UpsertAsync(Upsert("", "a")));

        Assert.Equal(VectorStoreErrorKind.CircuitOpen, error.Kind);
        Assert.Empty(_secondary.Calls);
    }

    [Fact]
    public async Task Dual_mode_writes_never_fall_back_either()
    {
        var store = CreateDual();
        _primary.FailTransiently();

        await Assert.ThrowsAsync<VectorStoreException>(() => store.UpsertAsync(Upsert("", "a")));

        Assert.Empty(_secondary.Calls);
        Assert.Equal(0, await store.GetPendingWriteCountAsync());
    }

    [Fact]
    public void Dual_mode_without_a_journal_is_refused()
        => Assert.Throws<ArgumentException>(() => new ComposedFallback(_primary, _secondary, new FallbackVectorStoreOptions { WriteMode = WriteMode.Dual }));

    [Fact]
    public async Task A_dual_write_is_journaled_before_it_is_acknowledged_and_replayed_afterwards()
    {
        var store = CreateDual();

        var result = await store.UpsertAsync(Upsert("fruit", "apple", "pear"));

        Assert.Equal(2, result.Upserted);
        Assert.Equal(1, await store.GetPendingWriteCountAsync());
        Assert.Empty(_secondary.Calls);
        var pending = Assert.Single(await _journal.ReadPendingAsync(10));
        Assert.Equal(JournalOperation.Upsert, pending.Write.Operation);
        Assert.Equal("fruit", pending.Write.Namespace);

        Assert.Equal(1, await store.ReplayPendingAsync());

        Assert.Equal(0, await store.GetPendingWriteCountAsync());
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
    }

    [Fact]
    public async Task Every_kind_of_write_replays_in_order_until_both_stores_agree()
    {
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a", "b", "c"));
        await store.UpsertAsync(Upsert("veg", "carrot", "leek"));
        await store.DeleteAsync(DeleteRequest.ByIds("b"));
        await store.UpsertAsync(Upsert("", "b"));
        await store.DeleteAsync(new DeleteRequest { Prefix = "c" });
        await store.UpsertAsync(Upsert("drinks", "tea"));
        await store.DeleteNamespaceAsync("drinks");
        await store.UpsertAsync(Upsert("tmp", "x"));
        await store.ResetAsync("tmp");
        Assert.Equal(9, await store.GetPendingWriteCountAsync());
        Assert.NotEqual(_primary.Snapshot(), _secondary.Snapshot());

        var applied = await store.ReplayPendingAsync();

        Assert.Equal(9, applied);
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
        Assert.Equal(["Upsert", "Upsert", "Delete", "Upsert", "Delete", "Upsert", "DeleteNamespace", "Upsert", "Reset"], _secondary.Calls.Where(c => c != "Info"));
    }

    [Fact]
    public async Task Replay_survives_a_secondary_that_fails_a_few_times()
    {
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a"));
        await store.UpsertAsync(Upsert("", "b"));
        _secondary.FailTransiently(VectorStoreErrorKind.Unavailable, times: 3, operations: "Upsert");

        var applied = await store.ReplayPendingAsync();

        Assert.Equal(2, applied);
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
        Assert.Equal(5, _secondary.CallCount("Upsert"));
        Assert.Null((await store.GetReplayStatusAsync()).LastError);
    }

    [Fact]
    public async Task A_secondary_that_stays_down_stops_the_pass_and_a_later_pass_catches_up_in_order()
    {
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a"));
        await store.DeleteAsync(DeleteRequest.ByIds("a"));
        await store.UpsertAsync(Upsert("", "a", "b"));
        _secondary.Fail(() => new HttpRequestException("chroma is down"), operations: "Upsert");

        Assert.Equal(0, await store.ReplayPendingAsync());

        var stalled = await store.GetReplayStatusAsync();
        Assert.Equal(3, stalled.Pending);
        Assert.Contains("chroma is down", stalled.LastError, StringComparison.Ordinal);
        Assert.Equal(DualOptions.ReplayMaxAttempts, _secondary.CallCount("Upsert"));

        _secondary.Heal();
        Assert.Equal(3, await store.ReplayPendingAsync());

        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
        var drained = await store.GetReplayStatusAsync();
        Assert.Equal(0, drained.Pending);
        Assert.Null(drained.LastError);
    }

    [Fact]
    public async Task An_entry_the_secondary_rejects_as_invalid_is_parked_and_the_rest_still_apply()
    {
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a"));
        await store.UpsertAsync(Upsert("", "b"));
        await store.UpsertAsync(Upsert("", "c"));
        // The secondary rejects exactly one write, the oldest, as invalid.
        _secondary.Fail(() => new VectorStoreException("chroma", VectorStoreErrorKind.InvalidRequest, "metadata too large"), times: 1, "Upsert");

        var applied = await store.ReplayPendingAsync();

        Assert.Equal(2, applied);
        var status = await store.GetReplayStatusAsync();
        Assert.Equal(0, status.Pending);
        Assert.Equal(1, status.Parked);
        var (parked, reason) = Assert.Single(_journal.Parked);
        Assert.Equal("a", Assert.Single(parked.Write.Records!).Id);
        Assert.Contains("metadata too large", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_refused_by_the_secondary_stop_the_replay_with_the_error_and_keep_the_entries()
    {
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a"));
        _secondary.FailTransiently(VectorStoreErrorKind.Unauthenticated, operations: "Upsert");

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.ReplayPendingAsync());

        Assert.Equal(VectorStoreErrorKind.Unauthenticated, error.Kind);
        Assert.Equal(1, _secondary.CallCount("Upsert"));
        var status = await store.GetReplayStatusAsync();
        Assert.Equal(1, status.Pending);
        Assert.Equal(0, status.Parked);
    }

    [Fact]
    public async Task Writes_that_carry_vectors_are_not_replayed_into_another_embedding_space()
    {
        _secondary.Model = "other-model";
        var store = CreateDual();
        await store.UpsertAsync(Upsert("", "a"));

        await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => store.ReplayPendingAsync());

        Assert.Equal(0, _secondary.CallCount("Upsert"));
        Assert.Equal(1, await store.GetPendingWriteCountAsync());
    }

    [Fact]
    public async Task Text_only_writes_replay_into_a_store_that_embeds_with_its_own_model()
    {
        _secondary.Model = "other-model";
        var store = CreateDual();
        await store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Text = "apple" }]));

        Assert.Equal(1, await store.ReplayPendingAsync());
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
    }

    [Fact]
    public async Task A_write_the_primary_rejects_is_not_journaled()
    {
        var store = CreateDual();

        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteNamespaceAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(new UpsertRequest([new VectorRecord("no-content")])));

        Assert.Equal(0, await store.GetPendingWriteCountAsync());
    }

    [Fact]
    public async Task The_part_of_a_failed_upsert_that_reached_the_primary_is_journaled()
    {
        var partial = FaultInjectingVectorStore.Wrap(_primary).WriteOnlyFirst(2);
        var store = new ComposedFallback(partial, _secondary, DualOptions, _journal);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.UpsertAsync(Upsert("", "a", "b", "c")));

        Assert.Equal(["a", "b"], error.WrittenIds);
        var entry = Assert.Single(await _journal.ReadPendingAsync(10));
        Assert.Equal(["a", "b"], entry.Write.Records!.Select(r => r.Id));
        await store.ReplayPendingAsync();
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
    }

    [Fact]
    public async Task A_write_that_cannot_be_journaled_is_not_acknowledged()
    {
        var store = new ComposedFallback(_primary, _secondary, DualOptions, new BrokenJournal());

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.UpsertAsync(Upsert("", "a")));

        Assert.Contains("could not be journaled", error.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Concurrent_dual_writes_to_one_record_leave_both_stores_with_the_same_version()
    {
        var store = CreateDual();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.UpsertAsync(new UpsertRequest(
            [new VectorRecord("same") { Text = $"version {i}" }]))));
        await store.ReplayPendingAsync();

        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
    }

    [Fact]
    public async Task The_replay_loop_wakes_up_after_a_dual_write()
    {
        var store = CreateDual();
        using var stop = new CancellationTokenSource();
        // An hour between passes: only the wake-up after the write can drain the journal within the test.
        var loop = store.RunReplayLoopAsync(TimeSpan.FromHours(1), stop.Token);

        await store.UpsertAsync(Upsert("", "a"));
        for (var i = 0; i < 500 && await store.GetPendingWriteCountAsync() > 0; i++)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        Assert.Equal(0, await store.GetPendingWriteCountAsync());
        Assert.Equal(_primary.Snapshot(), _secondary.Snapshot());
    }

    private sealed class BrokenJournal : IWriteJournal
    {
        public Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default)
            => throw new IOException("disk full");

        public Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<WriteJournalEntry>>([]);

        public Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default) => Task.FromResult(default(WriteJournalCounts));
    }
}
