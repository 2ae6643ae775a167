using Grpc.Core;
using Grpc.Net.Client;
using RagFood.Contracts.V1;
using RagFood.Providers.Tests.Chroma;
using RagFood.Server.Tests.Support;
using RagFood.Testing;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>The server process is SIGKILLed with journal entries pending, once for each direction (queued for the
/// fallback while Chroma is down; queued for the primary while Upstash is black-holed); a restarted process on the
/// same journal file drains them and both stores end equal to the acknowledged writes.</summary>
/// <remarks>The two journals are never both non-empty at one moment by design: while writes are queued for the primary
/// they go to the fallback, which first applies what is queued for it (see docs/failover-and-journal.md).</remarks>
public sealed class KilledCutoverTests : IAsyncLifetime
{
    private ChromaServer? _chroma;
    private readonly string _journalDirectory = Directory.CreateTempSubdirectory("ragfood-killed-journal-").FullName;

    public async Task InitializeAsync() => _chroma = await ChromaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_chroma is not null)
        {
            await _chroma.DisposeAsync();
        }

        try
        {
            Directory.Delete(_journalDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Journals_pending_in_either_direction_survive_a_sigkill_and_drain_after_restart()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        var environment = CutoverEndToEndTests.CutoverSettings(emulator.Url, emulator.Token, _chroma!.Url)
            .ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value!);
        environment["VectorStore__Chroma__Collection"] = "killed";
        environment["VectorStore__Journal__Path"] = Path.Combine(_journalDirectory, "journal.db");
        var acknowledged = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Queued for chroma: it is down while upstash takes the writes.
        await _chroma.StopAsync();
        var first = await ServerProcess.StartAsync(environment);
        await WriteAsync(first, acknowledged, "chroma-down", "upstash", "chroma");
        Assert.Contains((await InfoAsync(first)).Journals, j => j.Target == "chroma" && j.Pending > 0);
        await first.DisposeAsync();
        await _chroma.RestartAsync();

        // Queued for upstash: it is black-holed while chroma takes the writes.
        var second = await ServerProcess.StartAsync(environment);
        await WaitDrainedAsync(second);
        emulator.Admin.Faults = new FaultSettings { BlackHole = true };
        await WriteAsync(second, acknowledged, "upstash-down", "chroma", "upstash");
        Assert.Contains((await InfoAsync(second)).Journals, j => j.Target == "upstash" && j.Pending > 0);
        await second.DisposeAsync();
        emulator.Admin.Faults = new FaultSettings();

        var third = await ServerProcess.StartAsync(environment);
        await WaitDrainedAsync(third);
        await third.DisposeAsync();

        var checkSettings = CutoverEndToEndTests.CutoverSettings(emulator.Url, emulator.Token, _chroma.Url);
        checkSettings["VectorStore:Chroma:Collection"] = "killed";
        checkSettings["VectorStore:WriteMode"] = "Primary";
        await using var check = await ServerHost.StartAsync(checkSettings);
        await CutoverEndToEndTests.AssertStoreHoldsAsync(check, "upstash", acknowledged);
        await CutoverEndToEndTests.AssertStoreHoldsAsync(check, "chroma", acknowledged);
    }

    private static async Task WriteAsync(ServerProcess server, Dictionary<string, string?> acknowledged, string phase, string durableIn, string queuedFor)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        var vector = new VectorService.VectorServiceClient(channel);
        for (var i = 0; i < 6; i++)
        {
            var id = $"k{i % 4}";
            if (i == 5)
            {
                var deleted = await vector.DeleteAsync(new DeleteRequest { Ids = { "k0" } }, deadline: DateTime.UtcNow.AddSeconds(10));
                Assert.Equal(durableIn, deleted.DurableIn);
                acknowledged["k0"] = null;
                continue;
            }

            var text = $"{phase} dish {i}.";
            var reply = await vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = id, Text = text } } }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(durableIn, reply.DurableIn);
            Assert.Contains(queuedFor, reply.QueuedFor);
            acknowledged[id] = text;
        }
    }

    private static async Task<InfoResponse> InfoAsync(ServerProcess server)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        return await new VectorService.VectorServiceClient(channel).InfoAsync(new InfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
    }

    private static Task WaitDrainedAsync(ServerProcess server) => CutoverEndToEndTests.WaitUntilAsync(async () =>
    {
        try
        {
            return (await InfoAsync(server)).Journals.All(j => j.Pending == 0);
        }
        catch (RpcException)
        {
            return false;
        }
    }, "the restarted server did not drain its journals");
}
