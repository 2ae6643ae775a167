using System.Diagnostics;
using Microsoft.Extensions.Options;
using RagFood.Core.Durable;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;

namespace RagFood.Providers.Tests.Support;

/// <summary>
/// Entry point of this test assembly when a test starts it as a child process (<c>dotnet exec
/// RagFood.Providers.Tests.dll &lt;role&gt; ...</c>); the test runner never calls it.
/// </summary>
public static class ChildProcessProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["sqlite-writer", var path])
        {
            await RunSqliteWriterAsync(path);
            return 0;
        }

        if (args is ["sqlite-concurrent-writer", var concurrentPath, var writers])
        {
            await RunConcurrentSqliteWritersAsync(concurrentPath, int.Parse(writers, System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        if (args is ["journal-concurrent-appender", var journalPath, var appenders])
        {
            await RunConcurrentJournalAppendersAsync(journalPath, int.Parse(appenders, System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        await Console.Error.WriteLineAsync("usage: sqlite-writer <database path> | sqlite-concurrent-writer <database path> <writers>"
            + " | journal-concurrent-appender <journal path> <appenders>");
        return 2;
    }

    /// <summary>How a test starts this assembly as a child process in a role (killed later with SIGKILL).</summary>
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcessProgram).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Many appenders write to the journals of two targets in one side file at once (so their appends are
    /// group-committed); each prints <c>ack TARGET ID SEQ</c> after its append returns, until killed.</summary>
    private static async Task RunConcurrentJournalAppendersAsync(string path, int appenders)
    {
        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = path });
        var journals = new SqliteWriteJournalFactory(file);
        var output = TextWriter.Synchronized(Console.Out);
        await Task.WhenAll(Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
        {
            var target = a % 2 == 0 ? "upstash" : "sqlite";
            for (var i = 0; ; i++)
            {
                var id = $"a{a}-{i}";
                var sequence = await journals.For(target).AppendAsync(JournaledWrite.ForUpsert(new UpsertRequest([new VectorRecord(id) { Text = $"record {id}" }])));
                output.WriteLine($"ack {target} {id} {sequence}");
                output.Flush();
            }
        })));
    }

    /// <summary>Upserts records one call at a time and prints <c>ack N</c> after each call returns, until killed.</summary>
    private static async Task RunSqliteWriterAsync(string path)
    {
        var options = Options.Create(new SqliteVectorStoreOptions { Path = path });
        await using var store = new SqliteVectorStore(options, new WordHashEmbeddingGenerator(64));
        for (var i = 0; ; i++)
        {
            await store.UpsertAsync(new UpsertRequest([new VectorRecord($"r{i}") { Text = $"record number {i}" }]));
            await Console.Out.WriteLineAsync($"ack {i}");
            await Console.Out.FlushAsync();
        }
    }

    /// <summary>Many writers upsert at once (so their writes are group-committed) and each prints <c>ack ID</c> after
    /// its call returns, until killed.</summary>
    private static async Task RunConcurrentSqliteWritersAsync(string path, int writers)
    {
        var options = Options.Create(new SqliteVectorStoreOptions { Path = path });
        await using var store = new SqliteVectorStore(options, new WordHashEmbeddingGenerator(64));
        await store.OpenAsync();
        var output = TextWriter.Synchronized(Console.Out);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var id = $"w{w}-{i}";
                await store.UpsertAsync(new UpsertRequest([new VectorRecord(id) { Text = $"record {id}" }]));
                output.WriteLine($"ack {id}");
                output.Flush();
            }
        })));
    }
}
