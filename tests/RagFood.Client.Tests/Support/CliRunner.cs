using System.Diagnostics;
using RagFood.Testing;

namespace RagFood.Client.Tests.Support;

/// <summary>The result of one <c>ragfood</c> process run.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the CLI build output (<c>dotnet ragfood.dll ...</c>) as a separate process.</summary>
internal static class CliRunner
{
    public static string CliDll => Path.Combine(RepoPaths.BuildOutput("RagFood.Cli"), "ragfood.dll");

    /// <summary>Runs the CLI with <paramref name="args"/>; <paramref name="stdin"/>, when given, is piped in and closed.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The developer's own settings must not leak into the tests.
        info.Environment.Remove("RAGFOOD_ADDRESS");
        info.Environment.Remove("RAGFOOD_API_KEY");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ragfood {string.Join(' ', info.ArgumentList.Skip(1))} did not finish:\n{await stdout}\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null);
}
