using System.Globalization;
using RagFood.Core.Durable;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Journal;

/// <summary>A process appending to the journal from many callers at once (group commit), killed with SIGKILL, loses
/// no entry it acknowledged.</summary>
public sealed class JournalKilledProcessTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_append_acknowledged_to_concurrent_appenders_before_the_kill_is_in_the_journal_with_its_sequence()
    {
        var path = _directory.File("killed-journal.db");
        var acknowledged = new List<(string Target, string Id, long Sequence)>();
        using (var child = System.Diagnostics.Process.Start(ChildProcessProgram.StartInfo("journal-concurrent-appender", path, "16"))
            ?? throw new InvalidOperationException("The appender process did not start."))
        {
            try
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                while (acknowledged.Count < 400)
                {
                    var line = await child.StandardOutput.ReadLineAsync(patience.Token)
                        ?? throw new InvalidOperationException("The appenders exited early: " + await child.StandardError.ReadToEndAsync(patience.Token));
                    var parts = line.Split(' ');
                    acknowledged.Add((parts[1], parts[2], long.Parse(parts[3], CultureInfo.InvariantCulture)));
                }
            }
            finally
            {
                // SIGKILL while the other appenders' calls are in flight, some of them inside a batch's commit.
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }
        }

        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = path });
        var journals = new SqliteWriteJournalFactory(file);
        foreach (var target in new[] { "upstash", "sqlite" })
        {
            var pending = (await journals.For(target).ReadPendingAsync(100_000))
                .ToDictionary(e => e.Sequence, e => Assert.Single(e.Write.Records!).Id);
            var expected = acknowledged.Where(a => a.Target == target).ToList();
            Assert.NotEmpty(expected);
            Assert.All(expected, a => Assert.Equal(a.Id, Assert.Contains(a.Sequence, pending)));
        }
    }
}
