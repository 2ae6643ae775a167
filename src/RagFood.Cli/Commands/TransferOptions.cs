using System.CommandLine;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary>Options and parsing shared by migrate, verify, export and restore.</summary>
internal static class TransferOptions
{
    /// <summary>Exit code when a verification found differences.</summary>
    public const int Differences = 6;

    /// <summary>Exit code when a transfer paused because a quota ran out (run again with --resume).</summary>
    public const int Paused = 7;

    public const string ExitHelp = "Exit codes: 0 done (and verified clean), 2 invalid input or records refused, 3 unavailable, 4 unauthenticated, 6 verification found differences, 7 paused for a quota (run again with --resume), or a dry run whose real run would exceed today's remaining quota.";

    public const string EndpointHelp = "'primary', 'fallback', a configured store ('upstash', 'chroma', 'sqlite'), 'chroma_db:<dir>' (a legacy Chroma directory, read directly), or an export file ('file:<path>', or any path ending in .jsonl / .jsonl.gz). Paths are read and written by the server, inside its Migration:AllowedDirectories.";

    public static Option<string> Mode(string defaultText) => new("--mode", "-m")
    {
        Description = $"text: re-embed from the (enriched) text; vectors: copy stored vectors (same embedding space only). Default {defaultText}.",
        HelpName = "text|vectors",
    };

    public static Option<string?> Corpus() => new("--corpus")
    {
        Description = "Join records by id to this food corpus (e.g. data/foods.json): restores name/region/type metadata and the enriched text exactly as ingestion builds them.",
        HelpName = "file",
    };

    public static Option<string?> Namespace() => new("--namespace", "-n")
    {
        Description = "Only this namespace (default: every namespace).",
        HelpName = "name",
    };

    public static Option<int> BatchSize() => new("--batch-size")
    {
        Description = "Records per write (default 100; at most the target's limit, e.g. 1000 for Upstash).",
        HelpName = "n",
    };

    public static Option<string?> Report() => new("--report")
    {
        Description = "Write the verification report (JSON) to this file (default: under the server's migration directory).",
        HelpName = "file",
    };

    public static Option<string?> SourceModel() => new("--source-model")
    {
        Description = "For chroma_db sources that do not record it: the embedding model that wrote the vectors (e.g. mxbai-embed-large).",
        HelpName = "model",
    };

    public static Option<string?> Collection() => new("--collection")
    {
        Description = "For chroma_db sources: the collection (default foods).",
        HelpName = "name",
    };

    public static TransferMode ParseMode(string? mode) => (mode ?? "").Trim().ToLowerInvariant() switch
    {
        "" => TransferMode.Unspecified,
        "text" => TransferMode.Text,
        "vectors" or "vector" => TransferMode.Vectors,
        var other => throw new ArgumentException($"--mode must be text or vectors, not '{other}'."),
    };

    /// <summary>Parses an endpoint; relative paths become absolute from the current directory.</summary>
    public static TransferEndpoint ParseEndpoint(string value, string? collection, string? sourceModel)
    {
        var text = value.Trim();
        if (text.StartsWith("chroma_db:", StringComparison.OrdinalIgnoreCase))
        {
            return new TransferEndpoint
            {
                ChromaDb = new ChromaDbLocation { Path = FullPath(text["chroma_db:".Length..]), Collection = collection ?? "", EmbeddingModel = sourceModel ?? "" },
            };
        }

        if (text.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new TransferEndpoint { ExportFile = FullPath(text["file:".Length..]) };
        }

        if (text.StartsWith("store:", StringComparison.OrdinalIgnoreCase))
        {
            return new TransferEndpoint { Store = text["store:".Length..] };
        }

        if (text.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".jsonl.gz", StringComparison.OrdinalIgnoreCase)
            || text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal))
        {
            return new TransferEndpoint { ExportFile = FullPath(text) };
        }

        return new TransferEndpoint { Store = text };
    }

    /// <summary>Builds a request (a malformed option becomes exit code 1 with its message) and runs <paramref name="body"/> with it.</summary>
    public static async Task<int> WithRequestAsync<TRequest>(CliSession session, Func<TRequest> build, Func<TRequest, Task<int>> body)
    {
        TRequest request;
        try
        {
            request = build();
        }
        catch (ArgumentException ex)
        {
            await session.Error.WriteLineAsync("ragfood: " + ex.Message);
            return ExitCodes.Usage;
        }

        return await body(request);
    }

    /// <summary><see cref="WithRequestAsync"/> for the streaming transfers: follows the events, prints the summary.</summary>
    public static Task<int> StreamAsync<TRequest>(CliSession session, Func<TRequest> build, Func<TRequest, IAsyncEnumerable<TransferEvent>> call, string verb, CancellationToken cancellationToken) =>
        WithRequestAsync(session, build, async request =>
            TransferOutput.Finish(session, await TransferOutput.FollowAsync(session, call(request), verb, cancellationToken)));

    public static string FullPath(string? path) => string.IsNullOrWhiteSpace(path) ? "" : Path.GetFullPath(path.Trim());
}
