using System.Diagnostics;
using RagFood.Testing;

namespace RagFood.Server.Tests;

/// <summary>The server's build output started as a process with a setting it cannot use: one line naming the setting
/// on stderr and exit code 1, where it used to end as an unhandled exception (stack trace, exit 134).</summary>
public sealed class StartupFailureTests
{
    [Theory]
    [InlineData("--Ollama:Timeout=abc", "'Ollama:Timeout'")]          // does not bind to its type (at build)
    [InlineData("--Rag:DefaultTopK=500", "Rag:DefaultTopK must be")] // fails validation (at start)
    [InlineData("--urls=http://0.0.0.0:1", "Refusing to serve plaintext gRPC beyond loopback")] // the edge's own refusal
    public async Task A_setting_the_server_cannot_use_stops_it_with_one_line_naming_it_and_exit_1(string setting, string named)
    {
        var (exitCode, stderr) = await RunServerAsync("--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--Ingestion:OnStart=false", setting);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("RagFood cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stderr)> RunServerAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.CreateTempSubdirectory("ragfood-startup-").FullName,
        };
        info.ArgumentList.Add(Path.Combine(RepoPaths.BuildOutput("RagFood.Server"), "RagFood.Server.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["VectorStore__Sqlite__Path"] = Path.Combine(info.WorkingDirectory, "ragfood.db");
        info.Environment["Embeddings__Provider"] = "BuiltIn";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the server did not stop on {string.Join(' ', args)}:\n{await stdout}\n{await stderr}");
        }
        finally
        {
            await stdout;
        }

        Directory.Delete(info.WorkingDirectory, recursive: true);
        return (process.ExitCode, await stderr);
    }
}
