using RagFood.Benchmarks;
using RagFood.Benchmarks.Harness;

// Usage: dotnet run -c Release --project tests/RagFood.Benchmarks -- [--quick] [--only name[,name...]] [--list] [--out dir]
var quick = false;
var only = new List<string>();
string? outDirectory = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--only" when i + 1 < args.Length:
            only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            break;
        case "--out" when i + 1 < args.Length:
            outDirectory = args[++i];
            break;
        case "--list":
            foreach (var b in BenchmarkRegistry.All)
            {
                Console.WriteLine($"{b.Name,-24} {b.Description}");
            }

            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: [--quick] [--only name[,name...]] [--list] [--out dir]");
            return 1;
    }
}

var unknown = only.Where(n => BenchmarkRegistry.All.All(b => !string.Equals(b.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; --list shows them");
    return 1;
}

var repoRoot = RepoRoot.Find();
var work = Path.Combine(Path.GetTempPath(), "ragfood-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

var context = new BenchmarkContext(quick, repoRoot, work, Console.Error);
var rows = new List<BenchmarkRow>();
var failures = new List<string>();
try
{
    foreach (var benchmark in BenchmarkRegistry.All.Where(b => only.Count == 0 || only.Contains(b.Name, StringComparer.OrdinalIgnoreCase)))
    {
        context.Log.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
        try
        {
            rows.AddRange(await benchmark.RunAsync(context, cts.Token));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One broken benchmark must not lose the others' rows; the failure is reported in every output.
            failures.Add($"{benchmark.Name}: {ex.GetType().Name}: {ex.Message}");
            context.Log.WriteLine($"   failed: {ex}");
        }
    }
}
finally
{
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
        // A server that is still shutting down may hold a file for a moment; the temp dir is left behind then.
    }
}

var report = new BenchmarkReport(MachineInfo.Current(), rows, failures, quick);
Console.WriteLine(report.ToText());
var output = outDirectory ?? Path.Combine(repoRoot, "artifacts", "bench");
await report.WriteAsync(output, cts.Token);
Console.WriteLine($"wrote {Path.Combine(output, "results.json")} and results.md");
return failures.Count == 0 ? 0 : 5;
