using System.Diagnostics;
using System.Globalization;
using RagFood.Transfer.Sources;
using RagFood.Transfer.Tests.Support;
using RagFood.Transfer.Verification;
using RagFood.UpstashEmulator;

namespace RagFood.Transfer.Tests;

/// <summary>A migrating process is SIGKILLed at several points and resumed with <c>--resume</c>: the target ends with
/// exactly the source's records, and no run after a kill starts again from the beginning.</summary>
[Collection(ChromaCollection.Name)]
public sealed class KilledMigrationTests(ChromaFixture chroma) : IDisposable
{
    private const int Records = 300;
    private const int Batch = 20;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Killed_three_times_and_resumed_the_target_holds_exactly_the_source()
    {
        // Vectors mode: the copy is bit-exact, so "exactly the source" includes every vector.
        const string mode = "vectors";
        var collection = ChromaFixture.UniqueCollection("killed");
        await using var source = TestStores.Chroma(chroma.Server.Url, collection);
        await TestStores.FillAsync(source.Store, TestStores.Foods(Records));
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = TestStores.Dimension, EmbeddingModel = "builtin" });
        var checkpoint = _directory.File("checkpoints.db");

        var lastAcks = new List<long>();
        foreach (var (killAfter, resume) in new[] { (2, false), (4, true), (3, true) })
        {
            lastAcks.Add(await RunChildAsync(chroma.Server.Url, collection, emulator, checkpoint, mode, resume, killAfterAcks: killAfter));
        }

        var final = await RunChildAsync(chroma.Server.Url, collection, emulator, checkpoint, mode, resume: true, killAfterAcks: null);

        await using var target = TestStores.Upstash(emulator.Url, emulator.Token);
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(target.Store),
            new VerifyOptions { Mode = TransferMode.Vectors });
        Assert.True(report.Clean, report.ToJson());
        Assert.Equal(Records, Assert.Single(report.Namespaces).ActualCount);
        // Each resumed run continued after the previous one's last acknowledged batch rather than from the start.
        Assert.True(lastAcks[1] > lastAcks[0] && lastAcks[2] > lastAcks[1], string.Join(", ", lastAcks));
        Assert.Equal(Records, final);
    }

    /// <summary>Runs the child; kills it (SIGKILL) after it printed <paramref name="killAfterAcks"/> acknowledged batches,
    /// or lets it finish. Returns the records read according to the last line it printed.</summary>
    private static async Task<long> RunChildAsync(Uri chromaUrl, string collection, RunningEmulator emulator, string checkpoint, string mode, bool resume, int? killAfterAcks)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", typeof(ChildProcessProgram).Assembly.Location, "migrate", chromaUrl.ToString(), collection, emulator.Url, emulator.Token,
            checkpoint, mode, resume ? "true" : "false", Batch.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("The migrating process did not start.");
        long read = -1;
        var acks = 0;
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await child.StandardOutput.ReadLineAsync(patience.Token) is { } line)
            {
                var parts = line.Split(' ');
                read = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (parts[0] == "ack" && ++acks == killAfterAcks)
                {
                    break;
                }

                if (parts[0] == "done")
                {
                    break;
                }
            }

            if (read < 0)
            {
                throw new InvalidOperationException("The migrating process exited early: " + await child.StandardError.ReadToEndAsync(patience.Token));
            }
        }
        finally
        {
            if (killAfterAcks is not null)
            {
                // SIGKILL on Unix: no finally blocks, no Dispose in the child.
                child.Kill(entireProcessTree: true);
            }

            await child.WaitForExitAsync();
        }

        return read;
    }
}
