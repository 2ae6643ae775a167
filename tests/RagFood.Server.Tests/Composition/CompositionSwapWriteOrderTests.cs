using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Tests.Shared;

namespace RagFood.Server.Tests.Composition;

/// <summary>Writes across a composition swap: one begun on the old composition finishes before one on the new
/// composition starts; reads do not wait; a write that would wait past <c>VectorStore:SwapDrainTimeout</c> is refused
/// as Unavailable, not applied out of order.</summary>
public sealed class CompositionSwapWriteOrderTests
{
    private static readonly UpsertRequest First = new([new VectorRecord("dish") { Text = "first version" }]);
    private static readonly UpsertRequest Second = new([new VectorRecord("dish") { Text = "second version" }]);

    [Fact]
    public async Task A_write_on_the_new_composition_starts_only_after_the_write_begun_on_the_old_one_has_finished()
    {
        using var rig = new SwapRig();
        using var firstCaller = new CancellationTokenSource();
        var first = await rig.HoldAWriteOnUpstashThenSwapToSqliteAsync(firstCaller.Token);
        Assert.Equal("sqlite", rig.Store.Name);
        var second = rig.Store.UpsertAsync(Second);

        // Reads go to the new composition at once.
        Assert.Empty(await rig.Store.QueryAsync(new VectorQuery { Text = "anything", TopK = 1 }));
        await Task.Delay(200);
        Assert.False(second.IsCompleted, "the new composition's write did not wait for the old one's");
        Assert.Equal(0, rig.Sqlite.CallCount("Upsert"));

        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(1, (await second).Upserted);
        Assert.Equal(1, rig.Sqlite.CallCount("Upsert"));
        var stored = await rig.Sqlite.FetchAsync(FetchRequest.ByIds("dish"));
        Assert.Equal("second version", stored.Single()!.Text);

        // Once drained, writes pass straight through.
        Assert.Equal(1, (await rig.Store.UpsertAsync(First)).Upserted);
    }

    [Fact]
    public async Task A_write_that_would_wait_past_the_drain_timeout_is_refused_as_unavailable_and_not_applied()
    {
        using var rig = new SwapRig(drainTimeout: "00:00:00.200");
        using var firstCaller = new CancellationTokenSource();
        var first = await rig.HoldAWriteOnUpstashThenSwapToSqliteAsync(firstCaller.Token);

        var refused = await Assert.ThrowsAsync<VectorStoreException>(() => rig.Store.DeleteAsync(new DeleteRequest { Ids = ["dish"] }));
        Assert.Equal(VectorStoreErrorKind.Unavailable, refused.Kind);
        Assert.Contains("VectorStore:SwapDrainTimeout", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1 write(s)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Sqlite.CallCount("Delete"));

        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(0, await rig.Store.DeleteAsync(new DeleteRequest { Ids = ["dish"] }));
        Assert.Equal(1, rig.Sqlite.CallCount("Delete"));
    }

    [Fact]
    public async Task A_caller_cancelled_while_waiting_for_the_drain_leaves_the_gate_as_it_found_it()
    {
        using var rig = new SwapRig();
        using var firstCaller = new CancellationTokenSource();
        var first = await rig.HoldAWriteOnUpstashThenSwapToSqliteAsync(firstCaller.Token);

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Store.UpsertAsync(Second, impatient.Token));

        // The cancelled write is not counted, but a composition that took no write still orders those around it:
        // after a second swap, writes wait for the one still running on the first composition.
        rig.SwapTo("Upstash");
        rig.Upstash.Heal();
        var third = rig.Store.UpsertAsync(Second);
        await Task.Delay(200);
        Assert.False(third.IsCompleted, "the third composition's write did not wait for the first one's");
        await firstCaller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(1, (await third).Upserted);
        Assert.Equal(0, rig.Sqlite.CallCount("Upsert"));
        Assert.Equal(2, rig.Upstash.CallCount("Upsert"));
    }

    [Fact]
    public async Task The_gate_admits_nothing_once_sealed_and_drains_when_its_last_write_and_its_predecessor_have()
    {
        var first = new CompositionWriteGate();
        Assert.True(first.PredecessorDrained.IsCompletedSuccessfully);
        Assert.True(first.TryEnter());
        Assert.True(first.TryEnter());
        var second = new CompositionWriteGate(first.SealNow());
        Assert.False(first.TryEnter());
        Assert.Equal(2, second.RunningBefore);

        var third = new CompositionWriteGate(second.SealNow());
        first.Exit();
        Assert.False(first.Drained.IsCompleted);
        Assert.False(third.PredecessorDrained.IsCompleted);
        Assert.Equal(1, third.RunningBefore);
        first.Exit();
        await third.PredecessorDrained.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(first.Drained.IsCompletedSuccessfully);
        Assert.Equal(0, third.RunningBefore);
    }

    /// <summary>A composition holder over two in-memory stores, swapped by editing its configuration.</summary>
    private sealed class SwapRig : IDisposable
    {
        private readonly IConfigurationRoot _configuration;
        private readonly ServiceProvider _services;
        private readonly StoreCompositionHolder _holder;

        public SwapRig(string drainTimeout = "00:00:10")
        {
            _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["VectorStore:Provider"] = "Upstash",
                ["VectorStore:SwapDrainTimeout"] = drainTimeout,
            }).Build();
            var services = new ServiceCollection();
            services.AddKeyedSingleton<IVectorStore>("upstash", Upstash);
            services.AddKeyedSingleton<IVectorStore>("sqlite", Sqlite);
            _services = services.BuildServiceProvider();
            _holder = new StoreCompositionHolder(
                _services,
                _configuration,
                new RegisteredProviders(new HashSet<VectorStoreProvider> { VectorStoreProvider.Upstash, VectorStoreProvider.Sqlite }),
                new StoreHealthMonitor(),
                NullLoggerFactory.Instance,
                TimeProvider.System);
            Store = new SwitchingVectorStore(_holder);
        }

        public FaultInjectingVectorStore Upstash { get; } = new("upstash");

        public FaultInjectingVectorStore Sqlite { get; } = new("sqlite");

        public SwitchingVectorStore Store { get; }

        public void SwapTo(string provider)
        {
            _configuration["VectorStore:Provider"] = provider;
            _configuration.Reload();
            Assert.Equal(provider.ToLowerInvariant(), _holder.Active.Topology.PrimaryName);
        }

        /// <summary>Starts an upsert that hangs in upstash until <paramref name="release"/> is cancelled, waits until
        /// upstash has it, then swaps the primary to sqlite; returns the held write, still running.</summary>
        public async Task<Task<UpsertResult>> HoldAWriteOnUpstashThenSwapToSqliteAsync(CancellationToken release)
        {
            Upstash.Hang();
            var held = Store.UpsertAsync(First, release);
            for (var i = 0; i < 500 && Upstash.CallCount("Upsert") == 0; i++)
            {
                await Task.Delay(10, CancellationToken.None);
            }

            Assert.True(Upstash.CallCount("Upsert") > 0, "upstash never saw the upsert");
            SwapTo("Sqlite");
            return held;
        }

        public void Dispose()
        {
            _holder.Dispose();
            _services.Dispose();
        }
    }
}
