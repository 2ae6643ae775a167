using RagFood.Providers.Sqlite;

namespace RagFood.Evaluation;

/// <summary>Command-line options of the evaluation.</summary>
internal sealed record EvalOptions(IReadOnlyList<string> Embedders, IReadOnlyList<SqliteRetrievalMode> Modes, bool Calibrate, bool Misses, string? Out, string? Dump)
{
    /// <summary>Ollama's address for the <c>ollama</c> embedder (<c>--ollama-url</c>).</summary>
    public Uri? OllamaUrl { get; init; }

    /// <summary>The Ollama embedding model (<c>--ollama-model</c>, default the original app's <c>mxbai-embed-large</c>).</summary>
    public string OllamaModel { get; init; } = "mxbai-embed-large";

    /// <summary>The most answerable questions a calibrated floor may cut off.</summary>
    public const double MaxCutOff = 0.02;

    /// <summary>Folds of the held-out calibration figures.</summary>
    public const int Folds = 5;

    public static EvalOptions Parse(string[] args)
    {
        IReadOnlyList<string> embedders = ["builtin", "local"];
        IReadOnlyList<SqliteRetrievalMode> modes = [SqliteRetrievalMode.Auto, SqliteRetrievalMode.Dense, SqliteRetrievalMode.Hybrid];
        bool calibrate = false, misses = false;
        string? output = null, dump = null;
        Uri? ollamaUrl = null;
        var ollamaModel = "mxbai-embed-large";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--embedders":
                    embedders = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--modes":
                    modes = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(m => Enum.Parse<SqliteRetrievalMode>(m, ignoreCase: true)).ToList();
                    break;
                case "--calibrate":
                    calibrate = true;
                    break;
                case "--misses":
                    misses = true;
                    break;
                case "--dump":
                    dump = args[++i];
                    break;
                case "--out":
                    output = args[++i];
                    break;
                case "--ollama-url":
                    ollamaUrl = new Uri(args[++i], UriKind.Absolute);
                    break;
                case "--ollama-model":
                    ollamaModel = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Use --embedders, --modes, --calibrate, --misses, --out, --dump, --ollama-url, --ollama-model.");
            }
        }

        if (calibrate && !modes.Contains(SqliteRetrievalMode.Auto))
        {
            throw new ArgumentException("--calibrate calibrates each embedder's default (auto) mode; include auto in --modes.");
        }

        if (embedders.Contains("ollama") && ollamaUrl is null)
        {
            throw new ArgumentException("The ollama embedder needs --ollama-url (for example http://localhost:11434).");
        }

        return new EvalOptions(embedders, modes, calibrate, misses, output, dump)
        {
            OllamaUrl = ollamaUrl,
            OllamaModel = ollamaModel,
        };
    }

    public static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFood.Grpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No RagFood.Grpc.sln above {AppContext.BaseDirectory}.");
    }
}
