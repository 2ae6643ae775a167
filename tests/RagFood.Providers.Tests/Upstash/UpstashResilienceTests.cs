using System.Net;
using System.Net.Sockets;
using RagFood.Core.VectorStores;
using RagFood.UpstashEmulator;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>The provider's HTTP pipeline against injected faults. Each test has its own emulator, so faults and
/// counters are its own. Request counts come from the emulator's stats; no test measures time.</summary>
public sealed class UpstashResilienceTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;

    private EmulatorAdmin Admin => _emulator.Admin;

    public async Task InitializeAsync() =>
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 4, EmbeddingModel = "builtin" },
            new Support.WordHashEmbeddingGenerator(4 * 4 * 4));

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Retries_recover_from_injected_503s()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o => o.MaxRetries = 3);
        await handle.Store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Vector = [1, 0, 0, 0] }]));
        Admin.Stats.Reset();
        Admin.Faults = new FaultSettings { Rate503 = 0.5 };

        for (var i = 0; i < 6; i++)
        {
            var matches = await handle.Store.QueryAsync(VectorQuery.ForVector([1, 0, 0, 0], 1));
            Assert.Equal("a", matches[0].Id);
        }

        Assert.Equal(6, Admin.Stats.Injected503);
        Assert.Equal(12, Admin.Stats.Requests);
    }

    [Fact]
    public async Task Retries_recover_from_429s_and_honour_retry_after()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o => o.MaxRetries = 2);
        Admin.Faults = new FaultSettings { Rate429 = 0.5, RetryAfterSeconds = 0 };

        var info = await handle.Store.GetInfoAsync();
        var namespaces = await handle.Store.ListNamespacesAsync();

        Assert.Equal(4, info.Dimension);
        Assert.Contains("", namespaces);
        Assert.Equal(2, Admin.Stats.Injected429);
        Assert.Equal(4, Admin.Stats.Requests);
    }

    [Fact]
    public async Task Nothing_is_retried_after_a_401()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o =>
        {
            o.Token = "wrong";
            o.MaxRetries = 5;
        });

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.QueryAsync(VectorQuery.ForText("soup")));

        Assert.Equal(VectorStoreErrorKind.Unauthenticated, error.Kind);
        Assert.Equal(1, Admin.Stats.Requests);
    }

    [Fact]
    public async Task Nothing_is_retried_after_a_400_or_422()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o => o.MaxRetries = 5);
        await handle.Store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Vector = [1, 0, 0, 0] }]));
        Admin.Stats.Reset();

        await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.UpdateAsync(new Providers.Upstash.UpstashUpdate("a") { Vector = [1, 2] }));
        await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.RangeAsync(new RangeRequest { Cursor = "bad" }));

        Assert.Equal(2, Admin.Stats.Requests);
        Assert.Equal(1, Admin.Stats.ByStatus[422]);
        Assert.Equal(1, Admin.Stats.ByStatus[400]);
    }

    [Fact]
    public async Task A_black_hole_opens_the_breaker_and_later_calls_fail_fast_without_reaching_upstash()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o =>
        {
            o.Timeout = TimeSpan.FromSeconds(5);
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            o.MaxRetries = 3;
            o.BreakerMinimumThroughput = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakDuration = TimeSpan.FromMinutes(1);
        });
        Admin.Faults = new FaultSettings { BlackHole = true };

        // Bounded so a broken pipeline fails the test instead of hanging it.
        var first = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.GetInfoAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        var seenByEmulator = Admin.Stats.BlackHoled;
        var second = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.GetInfoAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains(first.Kind, new[] { VectorStoreErrorKind.CircuitOpen, VectorStoreErrorKind.Timeout });
        Assert.Equal(VectorStoreErrorKind.CircuitOpen, second.Kind);
        Assert.True(second.IsTransient);
        Assert.InRange(seenByEmulator, 2, 4);
        Assert.Equal(seenByEmulator, Admin.Stats.BlackHoled);
    }

    [Fact]
    public async Task A_black_hole_without_retries_times_out_within_the_configured_timeout()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetries = 0;
        });
        Admin.Faults = new FaultSettings { BlackHole = true };

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.GetInfoAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(VectorStoreErrorKind.Timeout, error.Kind);
        Assert.Equal(1, Admin.Stats.BlackHoled);
    }

    [Fact]
    public async Task An_exhausted_daily_quota_surfaces_upstashs_rate_limit_error()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o => o.MaxRetries = 1);
        Admin.Faults = new FaultSettings { DailyQuota = 1 };
        await handle.Store.ListNamespacesAsync();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.ListNamespacesAsync());

        Assert.Equal(VectorStoreErrorKind.ResourceExhausted, error.Kind);
        Assert.Contains("max daily request limit exceeded. Limit: 1, Usage: 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Admin.Stats.QuotaRejected);

        Admin.ResetQuota();
        Assert.Contains("", await handle.Store.ListNamespacesAsync());
    }

    [Fact]
    public async Task A_failure_part_way_through_a_large_upsert_reports_the_ids_already_written()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o =>
        {
            o.BatchSize = 2;
            o.MaxRetries = 0;
        });
        var records = Enumerable.Range(0, 6).Select(i => new VectorRecord($"id-{i}") { Vector = [1, i, 0, 0] }).ToList();
        // One /info (the dimension check) and two batches fit; the third batch is refused.
        Admin.Faults = new FaultSettings { DailyQuota = 3 };

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.UpsertAsync(new UpsertRequest(records)));

        Assert.Equal(VectorStoreErrorKind.ResourceExhausted, error.Kind);
        Assert.Equal(["id-0", "id-1", "id-2", "id-3"], error.WrittenIds);
        Assert.Contains("4 of 6 records were written", error.Message, StringComparison.Ordinal);
        Admin.Faults = new FaultSettings();
        var fetched = await handle.Store.FetchAsync(FetchRequest.ByIds("id-3", "id-4"));
        Assert.NotNull(fetched[0]);
        Assert.Null(fetched[1]);
    }

    [Fact]
    public async Task An_unreachable_index_is_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var handle = UpstashTestHost.CreateStore(_emulator, o =>
        {
            o.Url = $"http://127.0.0.1:{port}";
            o.MaxRetries = 1;
        });

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.GetInfoAsync());

        Assert.Equal(VectorStoreErrorKind.Unavailable, error.Kind);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Cancelling_a_slow_call_surfaces_as_cancellation_not_as_a_store_failure()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator);
        Admin.Faults = new FaultSettings { LatencyMs = 30_000 };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle.Store.GetInfoAsync(cancellation.Token).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_client_side_rate_limit_lets_every_request_through_in_turn()
    {
        await using var handle = UpstashTestHost.CreateStore(_emulator, o => o.RequestsPerSecond = 20);

        var all = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => handle.Store.ListNamespacesAsync()));

        Assert.All(all, namespaces => Assert.Contains("", namespaces));
        Assert.Equal(6, Admin.Stats.Requests);
    }
}
