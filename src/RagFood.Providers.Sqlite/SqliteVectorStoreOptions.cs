using Microsoft.Extensions.Options;

namespace RagFood.Providers.Sqlite;

/// <summary>Settings of the embedded SQLite vector store (configuration section <c>VectorStore:Sqlite</c>).</summary>
public sealed class SqliteVectorStoreOptions
{
    /// <summary>The database file. Default <c>data/ragfood.db</c>.</summary>
    /// <remarks>A relative path is resolved against the current directory, which is the host's default content
    /// root; a host that runs elsewhere passes an absolute path. The parent directory is created if missing.
    /// One process owns the file at a time (SQLite exclusive locking): a second opener fails with
    /// <c>VectorStoreException</c> (Unavailable) after <see cref="BusyTimeout"/>.</remarks>
    public string Path { get; set; } = "data/ragfood.db";

    /// <summary>How many texts go to the embedding generator per call (1 to 1000). Default 64.</summary>
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>How long to wait for a file locked by someone else before failing. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The embedding model id to record when the generator does not report one (optional).</summary>
    /// <remarks>The model id and dimension are written into the file on first use; opening the file later with
    /// a generator of another model or dimension fails instead of mixing vectors from two spaces.</remarks>
    public string? EmbeddingModel { get; set; }

    /// <summary>How text queries are ranked. Default <see cref="SqliteRetrievalMode.Auto"/> (hybrid with a semantic
    /// embedder). Vector queries are always dense. See docs/retrieval-quality.md.</summary>
    public SqliteRetrievalMode Retrieval { get; set; } = SqliteRetrievalMode.Auto;
}

/// <summary>Checks <see cref="SqliteVectorStoreOptions"/> at start.</summary>
internal sealed class SqliteVectorStoreOptionsValidator : IValidateOptions<SqliteVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteVectorStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("VectorStore:Sqlite:Path must name a database file.");
        }
        else if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || options.Path.EndsWith('/') || options.Path.EndsWith('\\'))
        {
            failures.Add($"VectorStore:Sqlite:Path '{options.Path}' is not a valid file path.");
        }

        if (options.EmbeddingBatchSize is < 1 or > 1000)
        {
            failures.Add($"VectorStore:Sqlite:EmbeddingBatchSize must be between 1 and 1000 (was {options.EmbeddingBatchSize}).");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"VectorStore:Sqlite:BusyTimeout must be positive and at most 10 minutes (was {options.BusyTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
