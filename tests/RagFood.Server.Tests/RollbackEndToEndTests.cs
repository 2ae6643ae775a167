using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>Rollback by configuration: VectorStore:Provider/:Fallback/:WriteMode edited in appsettings.json while
/// readers and a writer run; the composition swaps without a restart and no request fails; an invalid edit is refused
/// and the old composition keeps serving.</summary>
public sealed class RollbackEndToEndTests
{
    [Fact]
    public async Task Swapping_primary_and_fallback_in_appsettings_takes_effect_without_a_restart_or_a_failed_request()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        var directory = Directory.CreateTempSubdirectory("ragfood-rollback-").FullName;
        var appsettings = Path.Combine(directory, "appsettings.json");
        await WriteCompositionAsync(appsettings, "Upstash", "Sqlite", "Dual");
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = null,
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
            ["Ingestion:OnStart"] = "false",
        }, directory);
        Assert.Equal("upstash", (await server.Vector.InfoAsync(new InfoRequest())).Store);

        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var served = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var load = Enumerable.Range(0, 3).Select(n => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    if (n == 0)
                    {
                        var reply = await server.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = $"r{i % 10}", Text = $"Rollback dish {i}." } } }, deadline: DateTime.UtcNow.AddSeconds(5));
                        served.AddOrUpdate("write:" + reply.ServedBy, 1, (_, c) => c + 1);
                    }
                    else
                    {
                        var reply = await server.Vector.QueryAsync(new QueryRequest { Text = "rollback dish", TopK = 2 }, deadline: DateTime.UtcNow.AddSeconds(5));
                        served.AddOrUpdate("read:" + reply.ServedBy, 1, (_, c) => c + 1);
                    }
                }
                catch (RpcException ex)
                {
                    failures.Add(ex.Status.ToString());
                }

                await Task.Delay(10);
            }
        })).ToArray();

        await Task.Delay(500);
        await WriteCompositionAsync(appsettings, "Sqlite", "Upstash", "Dual");
        await CutoverEndToEndTests.WaitUntilAsync(async () => (await server.Vector.InfoAsync(new InfoRequest())).Store == "sqlite", "the rollback to sqlite did not take effect");
        // Services that outlive one request (store verification, transfers, doctor) follow the swap too.
        var storesAfterRollback = await new StoresService.StoresServiceClient(server.Channel).VerifyStoresAsync(new VerifyStoresRequest());
        await Task.Delay(500);
        await WriteCompositionAsync(appsettings, "Bogus", "Upstash", "Dual");
        await Task.Delay(1000);
        var afterInvalid = await server.Vector.InfoAsync(new InfoRequest());
        await WriteCompositionAsync(appsettings, "Upstash", "Sqlite", "Dual");
        await CutoverEndToEndTests.WaitUntilAsync(async () => (await server.Vector.InfoAsync(new InfoRequest())).Store == "upstash", "the cutover back to upstash did not take effect");
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await CutoverEndToEndTests.WaitUntilAsync(async () => (await server.Vector.InfoAsync(new InfoRequest())).Journals.All(j => j.Pending == 0), "the journals did not drain");

        Assert.Empty(failures);
        Assert.Equal(("sqlite", "upstash"), (storesAfterRollback.Primary, storesAfterRollback.Fallback));
        Assert.Equal("sqlite", afterInvalid.Store);
        Assert.Equal("upstash", afterInvalid.FallbackStore);
        Assert.True(served.ContainsKey("write:sqlite"), "no write was served by sqlite while it was the primary");
        Assert.True(served.ContainsKey("write:upstash"), "no write was served by upstash");
    }

    private static async Task WriteCompositionAsync(string path, string provider, string fallback, string writeMode)
    {
        var json = $$"""{ "VectorStore": { "Provider": "{{provider}}", "Fallback": "{{fallback}}", "WriteMode": "{{writeMode}}" } }""";
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, json);
        File.Move(temporary, path, overwrite: true);
    }
}
