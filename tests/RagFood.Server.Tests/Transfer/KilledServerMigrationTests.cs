using Grpc.Core;
using Grpc.Net.Client;
using RagFood.Contracts.V1;
using RagFood.Testing;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests.Transfer;

/// <summary>The server process itself is SIGKILLed while a Migrate call it is serving writes batches into Upstash (the
/// emulator); a restarted server resumes the job from its checkpoint, without starting again, and the target ends with
/// exactly the source's records. (RagFood.Transfer.Tests kills the migration engine in a child process; this is the
/// same guarantee through the gRPC service.)</summary>
public sealed class KilledServerMigrationTests : IDisposable
{
    private const int CorpusSize = 576;
    private readonly string _directory = Directory.CreateTempSubdirectory("ragfood-killed-migration-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_server_killed_mid_migration_resumes_from_its_checkpoint_and_the_target_holds_exactly_the_source()
    {
        var sqlitePath = Path.Combine(_directory, "source.db");
        // The source: the embedded default with the shipped corpus, written by a server of its own.
        var seeding = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["VectorStore__Sqlite__Path"] = sqlitePath },
            ready: (address, ct) => HasRecordsAsync(address, CorpusSize, ct));
        await seeding.DisposeAsync();

        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        var environment = new Dictionary<string, string>
        {
            ["VectorStore__Provider"] = "Upstash",
            ["VectorStore__Standby"] = "Sqlite",
            ["VectorStore__Sqlite__Path"] = sqlitePath,
            ["VectorStore__Upstash__Url"] = emulator.Url,
            ["VectorStore__Upstash__Token"] = emulator.Token,
            ["Migration__Directory"] = Path.Combine(_directory, "migration"),
            ["Ingestion__OnStart"] = "false",
        };
        var request = new MigrateRequest
        {
            Source = new TransferEndpoint { Store = "sqlite" },
            Target = new TransferEndpoint { Store = "primary" },
            Mode = TransferMode.Text,
            BatchSize = 8,
        };

        long readAtKill;
        var first = await ServerProcess.StartAsync(environment);
        try
        {
            readAtKill = await MigrateUntilKilledAsync(first, request, killAfterBatches: 5);
        }
        finally
        {
            await first.DisposeAsync();
        }

        Assert.InRange(readAtKill, 1, CorpusSize - 1);
        var written = emulator.Admin.Stats.For("upsert-data");
        Assert.True(written > 0, "the killed run wrote nothing");

        await using var second = await ServerProcess.StartAsync(environment);
        using var channel = GrpcChannel.ForAddress(second.Address);
        var resume = request.Clone();
        resume.Resume = true;
        var events = await ReadAllAsync(new MigrationService.MigrationServiceClient(channel), resume);
        var started = events.First(e => e.EventCase == TransferEvent.EventOneofCase.Started).Started;
        var summary = events[^1].Summary;

        // The resumed run continued after the last batch acknowledged before the kill rather than from the start.
        Assert.True(started.AlreadyRead >= readAtKill, $"resumed at {started.AlreadyRead}, the killed run had reported {readAtKill}");
        Assert.True(summary.Resumed);
        Assert.Equal(TransferStatus.Completed, summary.Status);
        Assert.True(summary.Verification.Clean, summary.Verification.ToString());
        var info = await new VectorService.VectorServiceClient(channel).InfoAsync(new InfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(CorpusSize, info.VectorCount);
    }

    /// <summary>Reads the Migrate stream and SIGKILLs the server once <paramref name="killAfterBatches"/> progress
    /// events (each sent after a batch was acknowledged and checkpointed) have arrived; returns the records read then.</summary>
    private static async Task<long> MigrateUntilKilledAsync(ServerProcess server, MigrateRequest request, int killAfterBatches)
    {
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var call = new MigrationService.MigrationServiceClient(channel).Migrate(request, deadline: DateTime.UtcNow.AddMinutes(2));
        var batches = 0;
        long read = 0;
        try
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                var e = response.Event;
                Assert.NotEqual(TransferEvent.EventOneofCase.Summary, e.EventCase);
                if (e.EventCase == TransferEvent.EventOneofCase.Progress && e.Progress.Written > 0)
                {
                    read = e.Progress.Read;
                    if (++batches == killAfterBatches)
                    {
                        await server.DisposeAsync();
                    }
                }
            }
        }
        catch (RpcException) when (batches >= killAfterBatches)
        {
            // The connection died with the process.
        }

        Assert.True(batches >= killAfterBatches, $"the migration ended after {batches} batches, before the kill");
        return read;
    }

    private static async Task<List<TransferEvent>> ReadAllAsync(MigrationService.MigrationServiceClient client, MigrateRequest request)
    {
        using var call = client.Migrate(request, deadline: DateTime.UtcNow.AddMinutes(3));
        var events = new List<TransferEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            events.Add(e.Event);
        }

        return events;
    }

    private static async Task<bool> HasRecordsAsync(Uri address, int count, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        try
        {
            var info = await new VectorService.VectorServiceClient(channel).InfoAsync(new InfoRequest(), cancellationToken: cancellationToken);
            return info.VectorCount >= count;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}
