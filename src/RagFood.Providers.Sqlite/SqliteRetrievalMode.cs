namespace RagFood.Providers.Sqlite;

/// <summary>How the SQLite store ranks a text query (<c>VectorStore:Sqlite:Retrieval</c>).</summary>
public enum SqliteRetrievalMode
{
    /// <summary>Hybrid when the embedder is semantic, dense when it is the built-in lexical hashing embedder (whose
    /// dense vectors already are lexical). The default.</summary>
    Auto,

    /// <summary>Cosine similarity of the dense vectors only.</summary>
    Dense,

    /// <summary>Dense and lexical sparse rankings fused by reciprocal rank fusion.</summary>
    Hybrid,
}
