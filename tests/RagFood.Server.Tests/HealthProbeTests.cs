using System.Diagnostics;
using Grpc.Health.V1;
using Microsoft.Extensions.Time.Testing;
using RagFood.Contracts.V1;
using RagFood.Core.Usage;
using RagFood.Server.Health;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>Health on Upstash (the emulator) costs at most one billed request per probe interval, however often it is
/// asked; a store that answered real traffic is not probed at all; probes are counted as their own usage kind.</summary>
public sealed class HealthProbeTests
{
    private static readonly HealthCheckResponse.Types.ServingStatus Serving = HealthCheckResponse.Types.ServingStatus.Serving;

    [Fact]
    public async Task Many_rapid_health_checks_cost_no_upstash_request_beyond_the_one_probe_of_the_interval()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await StartAsync(emulator, "01:00:00");
        var first = await FirstProbeAsync(server);
        var before = emulator.Admin.Stats.Requests;

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(Serving, (await server.Health.CheckAsync(new HealthCheckRequest())).Status);
            Assert.Equal(Serving, (await server.Health.CheckAsync(new HealthCheckRequest { Service = "ragfood.store.upstash" })).Status);
        }

        Assert.True(first.Ok, first.Detail);
        Assert.Equal(before, emulator.Admin.Stats.Requests);
        var upstash = server.Services.GetRequiredService<IUsageLedger>().GetReport().Stores.Single(s => s.Store == "upstash");
        Assert.Equal(1, upstash.Today.Calls.GetValueOrDefault("health_probe"));
        Assert.True(upstash.Today.Reads >= 1, "a probe is billed as a read");
    }

    [Fact]
    public async Task A_store_that_answered_real_traffic_since_the_last_round_is_not_probed_and_an_idle_one_is()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await StartAsync(emulator, "00:00:30", services => services.AddSingleton<TimeProvider>(time));
        var probes = server.Services.GetRequiredService<StoreProbeCache>();
        var first = await FirstProbeAsync(server);

        time.Advance(TimeSpan.FromSeconds(1));
        await server.Vector.QueryAsync(new QueryRequest { Text = "lentil stew", TopK = 1 });
        var afterTraffic = emulator.Admin.Stats.For("info");
        var passive = await NextProbeAsync(probes, first, time);
        var active = await NextProbeAsync(probes, passive, time);

        Assert.True(passive.Ok);
        Assert.Contains("answered real traffic", passive.Detail, StringComparison.Ordinal);
        Assert.True(active.Ok);
        Assert.EndsWith("records", active.Detail, StringComparison.Ordinal);
        Assert.Equal(afterTraffic + 1, emulator.Admin.Stats.For("info"));
        var upstash = server.Services.GetRequiredService<IUsageLedger>().GetReport().Stores.Single(s => s.Store == "upstash");
        Assert.Equal(2, upstash.Today.Calls.GetValueOrDefault("health_probe"));
    }

    private static Task<ServerHost> StartAsync(RunningEmulator emulator, string interval, Action<IServiceCollection>? configure = null) =>
        ServerHost.StartAsync(ServerHost.OnUpstash(emulator, ("Health:ProbeInterval", interval)), configureServices: configure);

    private static async Task<StoreProbe> FirstProbeAsync(ServerHost server) =>
        await NextProbeAsync(server.Services.GetRequiredService<StoreProbeCache>(), null);

    /// <summary>Waits (at most 20 s) for a probe result newer than <paramref name="previous"/>, moving
    /// <paramref name="time"/> on a second at a time (the probe loop may not be waiting on it yet when a test advances).</summary>
    private static async Task<StoreProbe> NextProbeAsync(StoreProbeCache probes, StoreProbe? previous, FakeTimeProvider? time = null)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (probes.Get("upstash") is { } probe && (previous is null || probe.At > previous.At))
            {
                return probe;
            }

            time?.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }

        throw new TimeoutException("no probe result for upstash within 20 s");
    }
}
