namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The file layout, version 1.</summary>
/// <remarks>
/// <para><c>meta</c> holds the schema version and the embedding space (model, dimension, similarity); it is
/// written once when the file is created and checked on every open.</para>
/// <para><c>namespaces</c> lists every namespace, including emptied ones (reset keeps them listed), with the
/// next insertion sequence. <c>records</c> is keyed by (namespace, id); <c>seq</c> is the per-namespace
/// insertion sequence that range cursors point at (an overwrite keeps it). Vectors are stored as unit vectors,
/// float32 little-endian: the only similarity is cosine, which is blind to length, so normalising once on the
/// way in lets every scan use a plain dot product.</para>
/// </remarks>
internal static class SqliteSchema
{
    public const int Version = 1;

    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS namespaces (
            name     TEXT PRIMARY KEY,
            next_seq INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS records (
            namespace    TEXT NOT NULL,
            id           TEXT NOT NULL,
            seq          INTEGER NOT NULL,
            text         TEXT,
            metadata     TEXT,
            content_hash TEXT NOT NULL,
            vector       BLOB NOT NULL,
            PRIMARY KEY (namespace, id)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS records_by_seq ON records (namespace, seq);
        INSERT OR IGNORE INTO namespaces (name, next_seq) VALUES ('', 0);
        """;

    public const string MetaSchemaVersion = "schema_version";
    public const string MetaEmbeddingModel = "embedding_model";
    public const string MetaDimension = "dimension";
    public const string MetaSimilarity = "similarity";
    public const string MetaCreatedAt = "created_at";
    public const string Similarity = "COSINE";
}
