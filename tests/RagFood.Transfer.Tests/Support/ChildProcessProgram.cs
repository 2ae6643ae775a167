using System.Globalization;
using RagFood.Core.Durable;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Tests.Support;

/// <summary>
/// Entry point of this test assembly when a kill test starts it as a child process (<c>dotnet exec
/// RagFood.Transfer.Tests.dll migrate …</c>); the test runner never calls it.
/// </summary>
public static class ChildProcessProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["migrate", var chromaUrl, var collection, var upstashUrl, var token, var checkpointPath, var mode, var resume, var batch])
        {
            await Console.Error.WriteLineAsync("usage: migrate <chroma url> <collection> <upstash url> <token> <checkpoint file> <text|vectors> <resume> <batch>");
            return 2;
        }

        await using var chroma = TestStores.Chroma(new Uri(chromaUrl), collection);
        await using var upstash = TestStores.Upstash(upstashUrl, token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(checkpointPath);
        var engine = new MigrationEngine(checkpoints);
        var plan = new MigrationPlan(new StoreRecordSource(chroma.Store), new StoreRecordSink(upstash.Store, 1000))
        {
            Mode = Enum.Parse<TransferMode>(mode, ignoreCase: true),
            BatchSize = int.Parse(batch, CultureInfo.InvariantCulture),
            Resume = bool.Parse(resume),
        };
        await foreach (var e in engine.RunAsync(plan))
        {
            var line = e.Kind switch
            {
                MigrationEventKind.Progress => $"ack {e.Read}",
                MigrationEventKind.Completed => $"done {e.Read} {e.Written} {e.Skipped}",
                _ => null,
            };
            if (line is not null)
            {
                await Console.Out.WriteLineAsync(line);
                await Console.Out.FlushAsync();
            }
        }

        return 0;
    }
}
