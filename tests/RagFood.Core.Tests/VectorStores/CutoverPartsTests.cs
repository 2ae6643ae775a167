using RagFood.Core.VectorStores;
using RagFood.Tests.Shared;

namespace RagFood.Core.Tests.VectorStores;

/// <summary>Hedged reads, breaker and outage writes of the three fallback parts, with in-process doubles.</summary>
public sealed class CutoverPartsTests
{
    private static readonly FallbackVectorStoreOptions Fast = new()
    {
        WriteMode = WriteMode.Dual,
        HedgeFloor = TimeSpan.FromMilliseconds(20),
        HedgeCeiling = TimeSpan.FromMilliseconds(40),
        BreakerFailureThreshold = 2,
        BreakDuration = TimeSpan.FromMinutes(5),
        PrimaryWriteTimeout = TimeSpan.FromMilliseconds(50),
        ReplayInitialBackoff = TimeSpan.FromMilliseconds(1),
        ReplayMaxBackoff = TimeSpan.FromMilliseconds(2),
        ReplayMaxAttempts = 1,
    };

    private readonly FaultInjectingVectorStore _primary = new("upstash");
    private readonly FaultInjectingVectorStore _secondary = new("chroma");
    private readonly InMemoryWriteJournal _forSecondary = new();
    private readonly InMemoryWriteJournal _forPrimary = new();

    private async Task<ComposedFallback> CreateAsync(FallbackVectorStoreOptions? options = null)
    {
        var store = new ComposedFallback(_primary, _secondary, options ?? Fast, _forSecondary, _forPrimary);
        await store.VerifyEmbeddingSpacesAsync();
        return store;
    }

    private static UpsertRequest Upsert(string id, string text) => new([new VectorRecord(id) { Text = text }]);

    [Fact]
    public async Task A_hanging_primary_is_hedged_to_the_fallback_and_its_call_is_cancelled()
    {
        var store = await CreateAsync();
        await _secondary.UpsertAsync(Upsert("s", "from the fallback"));
        _primary.Hang();
        using var scope = ServingScope.Begin();

        var matches = await store.QueryAsync(VectorQuery.ForText("anything"));

        Assert.Equal("s", Assert.Single(matches).Id);
        Assert.True(scope.FallbackUsed);
        Assert.Contains("was asked too", scope.FallbackReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_do_not_hedge_when_the_fallback_space_is_not_known_the_same()
    {
        var store = new ComposedFallback(_primary, new FaultInjectingVectorStore("chroma", model: "another-model"), Fast, _forSecondary, _forPrimary);
        _primary.Hang();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.QueryAsync(VectorQuery.ForText("anything"), timeout.Token));
    }

    [Fact]
    public async Task Caller_cancellation_never_hedges()
    {
        // The hedge budget is far longer than the test, so only the caller's cancellation could send the read on;
        // the token is cancelled once the primary holds the read, not by a timer that could race the budget.
        var store = await CreateAsync(new FallbackVectorStoreOptions
        {
            WriteMode = WriteMode.Dual,
            HedgeFloor = TimeSpan.FromSeconds(30),
            HedgeCeiling = TimeSpan.FromSeconds(60),
        });
        _primary.Hang();
        using var cancelled = new CancellationTokenSource();

        var read = store.QueryAsync(VectorQuery.ForText("anything"), cancelled.Token);
        for (var i = 0; i < 500 && _primary.CallCount("Query") == 0; i++)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        Assert.Equal(1, _primary.CallCount("Query"));
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Fact]
    public async Task Repeated_failures_open_the_breaker_and_reads_then_skip_the_primary()
    {
        var store = await CreateAsync();
        _primary.FailTransiently(operations: "Query");
        await store.QueryAsync(VectorQuery.ForText("one"));
        await store.QueryAsync(VectorQuery.ForText("two"));
        var primaryCalls = _primary.CallCount("Query");

        await store.QueryAsync(VectorQuery.ForText("three"));

        Assert.Equal(primaryCalls, _primary.CallCount("Query"));
        Assert.Contains(store.Composition.Health.Snapshot(), s => s.Store == "upstash" && s.Breaker == BreakerState.Open);
    }

    [Fact]
    public async Task Writes_during_a_primary_outage_go_to_the_fallback_and_queue_for_the_primary_in_order()
    {
        var store = await CreateAsync();
        await store.UpsertAsync(Upsert("a", "a1"));
        await store.ReplayPendingAsync();
        _primary.Hang();
        using var scope = ServingScope.Begin();

        await store.UpsertAsync(Upsert("a", "a2"));
        await store.UpsertAsync(Upsert("b", "b1"));
        await store.DeleteAsync(DeleteRequest.ByIds("b"));
        var queued = (await _forPrimary.GetCountsAsync()).Pending;
        _primary.Heal();
        await store.UpsertAsync(Upsert("a", "a3"));
        var primaryCallsBeforeReplay = _primary.CallCount("Upsert");
        await store.ReplayPendingAsync();

        Assert.Equal(4, queued + 1);
        Assert.Equal("chroma", scope.DurableIn);
        Assert.Equal(["upstash"], scope.QueuedFor);
        // a1, and the a2 attempt that hung: nothing newer reached the primary before its journal replayed.
        Assert.Equal(2, primaryCallsBeforeReplay);
        Assert.Equal(_secondary.Snapshot(), _primary.Snapshot());
        Assert.Contains("a:a3", _primary.Snapshot(), StringComparison.Ordinal);
        Assert.DoesNotContain("b:", _primary.Snapshot(), StringComparison.Ordinal);
        Assert.Equal(0, (await _forPrimary.GetCountsAsync()).Pending);
    }

    [Fact]
    public async Task Reads_go_to_the_fallback_while_the_primary_is_behind_its_journal()
    {
        var store = await CreateAsync();
        _primary.Hang();
        await store.UpsertAsync(Upsert("fresh", "only the fallback has it yet"));
        _primary.Heal();
        await store.Composition.Replayer!.RefreshAsync();
        using var scope = ServingScope.Begin();

        var fetched = await store.FetchAsync(FetchRequest.ByIds("fresh"));

        Assert.NotNull(Assert.Single(fetched));
        Assert.Equal("chroma", scope.StoreName);
    }

    [Fact]
    public async Task A_write_neither_store_can_take_is_not_acknowledged_and_not_journaled()
    {
        var store = await CreateAsync();
        _primary.FailTransiently();
        _secondary.FailTransiently();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.UpsertAsync(Upsert("x", "x")));

        Assert.Contains("not acknowledged", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _forPrimary.GetCountsAsync()).Pending);
        Assert.Equal(0, (await _forSecondary.GetCountsAsync()).Pending);
    }
}
