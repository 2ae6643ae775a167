using System.Diagnostics;
using System.Text.Json;

namespace RagFood.Benchmarks.Harness;

/// <summary>Runs a node benchmark script (tests/RagFood.Benchmarks/node/*.mjs) that times itself and prints
/// <c>{"seconds": …}</c> as its last line, so node's start-up is not counted against the official client.</summary>
internal static class NodeScript
{
    public static async Task<double> RunTimedAsync(string script, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(script)} {string.Join(' ', info.ArgumentList.Skip(1))} failed ({process.ExitCode}): {await stderr}");
        }

        using var result = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        return result.RootElement.GetProperty("seconds").GetDouble();
    }
}
