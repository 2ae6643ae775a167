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

    /// <summary>Group commit: concurrent writes share one transaction and one fsync, each acknowledged only once that
    /// commit is durable. Default true; false commits (and fsyncs) every write on its own.</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most writes (upsert, delete, reset calls) committed together in one group commit (1 to 4096). Default 256.</summary>
    public int MaxGroupCommitBatch { get; set; } = 256;

    /// <summary>The embedding model id to record when the generator does not report one (optional).</summary>
    /// <remarks>The model id and dimension are written into the file on first use; opening the file later with
    /// a generator of another model or dimension fails instead of mixing vectors from two spaces.</remarks>
    public string? EmbeddingModel { get; set; }

    /// <summary>How text queries are ranked. Default <see cref="SqliteRetrievalMode.Auto"/> (hybrid with a semantic
    /// embedder). Vector queries are always dense. See docs/retrieval-quality.md.</summary>
    public SqliteRetrievalMode Retrieval { get; set; } = SqliteRetrievalMode.Auto;
}
