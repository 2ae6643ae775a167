using System.Diagnostics;
using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>A writer process killed with SIGKILL mid-stream loses nothing it acknowledged.</summary>
public sealed class SqliteKilledProcessTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_upsert_acknowledged_before_the_writer_was_killed_is_in_the_file()
    {
        var path = _directory.File("killed.db");
        var start = ChildProcessProgram.StartInfo("sqlite-writer", path);

        var lastAck = -1;
        using (var child = Process.Start(start) ?? throw new InvalidOperationException("The writer process did not start."))
        {
            try
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                while (lastAck < 40)
                {
                    var line = await child.StandardOutput.ReadLineAsync(patience.Token)
                        ?? throw new InvalidOperationException("The writer exited early: " + await child.StandardError.ReadToEndAsync(patience.Token));
                    lastAck = int.Parse(line["ack ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            finally
            {
                // SIGKILL on Unix: no finally blocks, no Dispose, no checkpoint in the child.
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }
        }

        await using var reopened = SqliteTestStores.Create(path);
        var ids = Enumerable.Range(0, lastAck + 1).Select(i => $"r{i}").ToArray();
        var fetched = await reopened.FetchAsync(new FetchRequest { Ids = ids });
        Assert.All(fetched, (record, i) => Assert.Equal($"record number {i}", record?.Text));
        Assert.True((await reopened.GetInfoAsync()).Namespaces[""] >= lastAck + 1);
    }

    [Fact]
    public async Task Every_upsert_acknowledged_to_concurrent_writers_before_the_kill_is_in_the_file()
    {
        var path = _directory.File("killed-concurrent.db");
        var start = ChildProcessProgram.StartInfo("sqlite-concurrent-writer", path, "16");

        var acknowledged = new List<string>();
        using (var child = Process.Start(start) ?? throw new InvalidOperationException("The writer process did not start."))
        {
            try
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                while (acknowledged.Count < 300)
                {
                    var line = await child.StandardOutput.ReadLineAsync(patience.Token)
                        ?? throw new InvalidOperationException("The writers exited early: " + await child.StandardError.ReadToEndAsync(patience.Token));
                    acknowledged.Add(line["ack ".Length..]);
                }
            }
            finally
            {
                // SIGKILL while the other writers' calls are in flight, some of them inside a batch's commit.
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }
        }

        await using var reopened = SqliteTestStores.Create(path);
        var fetched = await reopened.FetchAsync(new FetchRequest { Ids = acknowledged });
        Assert.All(fetched, (record, i) => Assert.Equal($"record {acknowledged[i]}", record?.Text));
    }
}
