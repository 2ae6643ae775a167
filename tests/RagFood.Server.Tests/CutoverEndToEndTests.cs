using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using RagFood.Contracts.V1;
using RagFood.Providers.Tests.Chroma;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;
using Stores = RagFood.Core.VectorStores;

namespace RagFood.Server.Tests;

/// <summary>A cutover under faults, over real gRPC: the Upstash emulator primary (503/429, then a black hole, then
/// healed), a real Chroma fallback, <c>WriteMode = Dual</c>, readers and a writer running throughout. Short budgets in
/// the test configuration keep it to seconds; outcomes are asserted, never timings.</summary>
public sealed class CutoverEndToEndTests : IAsyncLifetime
{
    private ChromaServer? _chroma;

    public async Task InitializeAsync() => _chroma = await ChromaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_chroma is not null)
        {
            await _chroma.DisposeAsync();
        }
    }

    internal static Dictionary<string, string?> CutoverSettings(string upstashUrl, string upstashToken, Uri chromaUrl) => new()
    {
        ["VectorStore:Provider"] = "Upstash",
        ["VectorStore:Fallback"] = "Chroma",
        ["VectorStore:WriteMode"] = "Dual",
        ["VectorStore:Upstash:Url"] = upstashUrl,
        ["VectorStore:Upstash:Token"] = upstashToken,
        ["VectorStore:Chroma:Url"] = chromaUrl.ToString(),
        ["VectorStore:Chroma:Collection"] = "cutover",
        ["VectorStore:FallbackPolicy:HedgeFloor"] = "00:00:00.050",
        ["VectorStore:FallbackPolicy:HedgeCeiling"] = "00:00:00.300",
        ["VectorStore:FallbackPolicy:BreakerFailureThreshold"] = "3",
        ["VectorStore:FallbackPolicy:BreakDuration"] = "00:00:00.500",
        ["VectorStore:FallbackPolicy:PrimaryWriteTimeout"] = "00:00:00.500",
        ["VectorStore:FallbackPolicy:ReplayInterval"] = "00:00:00.200",
        ["VectorStore:FallbackPolicy:ReplayAttemptTimeout"] = "00:00:00.500",
        ["VectorStore:FallbackPolicy:ReplayMaxAttempts"] = "2",
        ["VectorStore:FallbackPolicy:ReplayInitialBackoff"] = "00:00:00.050",
        ["VectorStore:FallbackPolicy:ReplayMaxBackoff"] = "00:00:00.200",
        ["Ingestion:OnStart"] = "false",
    };

    [Fact]
    public async Task Reads_never_fail_and_both_stores_end_equal_to_the_acknowledged_writes_through_faults_a_black_hole_and_recovery()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(CutoverSettings(emulator.Url, emulator.Token, _chroma!.Url));
        var acknowledged = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            var text = $"Seed dish {i} is a rice dish with saffron.";
            await server.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = $"w{i}", Text = text } } });
            acknowledged[$"w{i}"] = text;
        }

        await WaitUntilAsync(async () => (await server.Vector.InfoAsync(new InfoRequest())).Journals.All(j => j.Pending == 0), "the seed writes did not reach chroma");

        using var stop = new CancellationTokenSource();
        var failedReads = 0;
        var reads = 0;
        var failedWrites = new ConcurrentBag<string>();
        var sawQueuedForUpstash = false;
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await server.Vector.QueryAsync(new QueryRequest { Text = "rice dish", TopK = 3 }, deadline: DateTime.UtcNow.AddSeconds(5));
                    Interlocked.Increment(ref reads);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failedReads);
                }
            }
        })).ToArray();
        var writer = Task.Run(async () =>
        {
            for (var i = 5; !stop.IsCancellationRequested; i++)
            {
                var id = $"w{i % 12}";
                try
                {
                    if (i % 7 == 0)
                    {
                        await server.Vector.DeleteAsync(new DeleteRequest { Ids = { id } }, deadline: DateTime.UtcNow.AddSeconds(5));
                        acknowledged[id] = null;
                    }
                    else
                    {
                        var text = $"Dish {i} is written as version {i}.";
                        var reply = await server.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = id, Text = text } } }, deadline: DateTime.UtcNow.AddSeconds(5));
                        acknowledged[id] = text;
                        sawQueuedForUpstash |= reply.QueuedFor.Contains("upstash") && reply.DurableIn == "chroma";
                    }
                }
                catch (RpcException ex)
                {
                    // Not acknowledged: the id's final state is whatever a later acknowledged write makes it.
                    failedWrites.Add($"{id}: {ex.Status}");
                    acknowledged.TryRemove(id, out _);
                }

                await Task.Delay(20);
            }
        });

        emulator.Admin.Faults = new FaultSettings { Rate503 = 0.2, Rate429 = 0.1 };
        await Task.Delay(1500);
        emulator.Admin.Faults = new FaultSettings { BlackHole = true };
        await WaitUntilAsync(async () => await HealthAsync(server, "ragfood.store.upstash") == HealthCheckResponse.Types.ServingStatus.NotServing,
            "the upstash entry never reported NOT_SERVING during the black hole");
        var overallDuringOutage = await HealthAsync(server, "");
        await Task.Delay(1500);
        var duringOutage = await server.Vector.InfoAsync(new InfoRequest());
        emulator.Admin.Faults = new FaultSettings();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, writer]);

        await WaitUntilAsync(async () => (await server.Vector.InfoAsync(new InfoRequest())).Journals.All(j => j.Pending == 0), "the journals did not drain after the primary healed");
        await WaitUntilAsync(async () => await HealthAsync(server, "ragfood.store.upstash") == HealthCheckResponse.Types.ServingStatus.Serving,
            "the upstash entry did not recover");

        Assert.Equal(0, failedReads);
        Assert.True(reads > 0);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, overallDuringOutage);
        Assert.True(sawQueuedForUpstash, "no write was acknowledged as durable in chroma and queued for upstash during the outage");
        Assert.Contains(duringOutage.Stores, s => s.Name == "upstash" && s.BreakerOpen);
        Assert.Contains(duringOutage.Journals, j => j.Target == "upstash");
        await AssertStoreHoldsAsync(server, "upstash", acknowledged);
        await AssertStoreHoldsAsync(server, "chroma", acknowledged);

        // With chroma gone too, no store can serve reads: only then is the server NOT_SERVING.
        emulator.Admin.Faults = new FaultSettings { BlackHole = true };
        await _chroma.StopAsync();
        await WaitUntilAsync(async () =>
        {
            try
            {
                await server.Vector.QueryAsync(new QueryRequest { Text = "rice dish", TopK = 1 }, deadline: DateTime.UtcNow.AddSeconds(2));
            }
            catch (RpcException)
            {
            }

            return await HealthAsync(server, "") == HealthCheckResponse.Types.ServingStatus.NotServing;
        }, "overall health stayed SERVING with both stores down");
        emulator.Admin.Faults = new FaultSettings();
    }

    [Fact]
    public async Task A_legacy_collection_the_user_brought_is_not_written_on_start()
    {
        var settings = new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Chroma",
            ["VectorStore:Chroma:Url"] = _chroma!.Url.ToString(),
            ["VectorStore:Chroma:Collection"] = "legacy",
            ["Ingestion:OnStart"] = "false",
        };
        var directory = Directory.CreateTempSubdirectory("ragfood-legacy-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "a"));
        Directory.CreateDirectory(Path.Combine(directory, "b"));
        await using (var first = await ServerHost.StartAsync(settings, Path.Combine(directory, "a")))
        {
            await first.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = "legacy-1", Text = "A record the user wrote before RagFood." } } });
        }

        settings["Ingestion:OnStart"] = "true";
        await using var second = await ServerHost.StartAsync(settings, Path.Combine(directory, "b"));
        var status = await second.WaitForIngestionAsync();
        var info = await second.Vector.InfoAsync(new InfoRequest());

        Assert.Equal(RagFood.Server.Ingestion.IngestionState.Skipped, status.State);
        Assert.Contains("did not create", status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, info.VectorCount);
    }

    internal static async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(ServerHost server, string service)
        => (await server.Health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5))).Status;

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(failure);
    }

    internal static async Task AssertStoreHoldsAsync(ServerHost server, string storeName, IReadOnlyDictionary<string, string?> expected)
    {
        var store = server.Services.GetRequiredKeyedService<Stores.IVectorStore>(storeName);
        var ids = expected.Keys.Order(StringComparer.Ordinal).ToArray();
        var records = await store.FetchAsync(new Stores.FetchRequest { Ids = ids, Include = new Stores.Include(Vectors: false, Metadata: false, Text: true) });
        var actual = ids.Zip(records, (id, record) => $"{id}={record?.Text ?? "(none)"}");
        Assert.Equal(ids.Select(id => $"{id}={expected[id] ?? "(none)"}"), actual);
    }
}
