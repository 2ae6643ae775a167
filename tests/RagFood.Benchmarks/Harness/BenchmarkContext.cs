namespace RagFood.Benchmarks.Harness;

/// <summary>What every benchmark gets: run settings, the repository root, a log and a scratch directory.</summary>
internal sealed class BenchmarkContext
{
    public BenchmarkContext(bool quick, string repoRoot, string workDirectory, TextWriter log)
    {
        Quick = quick;
        RepoRoot = repoRoot;
        WorkDirectory = workDirectory;
        Log = log;
    }

    /// <summary>Smaller sizes and fewer rounds: a smoke run that checks the benchmarks work, not a measurement.</summary>
    public bool Quick { get; }

    /// <summary>The folder that holds RagFood.Grpc.sln.</summary>
    public string RepoRoot { get; }

    /// <summary>A scratch directory for this run (databases, server data); deleted afterwards.</summary>
    public string WorkDirectory { get; }

    /// <summary>Progress messages (stderr), kept apart from the results table on stdout.</summary>
    public TextWriter Log { get; }

    /// <summary>Picks the full-run or the quick-run value.</summary>
    public T Pick<T>(T full, T quick) => Quick ? quick : full;

    /// <summary>A fresh sub-directory of <see cref="WorkDirectory"/>.</summary>
    public string CreateDirectory(string name)
    {
        var path = Path.Combine(WorkDirectory, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }
}
