namespace RagFood.Core.VectorStores;

/// <summary>What went wrong in a store, in terms a caller can act on; the gRPC edge maps it to a status code.</summary>
public enum VectorStoreErrorKind
{
    /// <summary>The store could not be reached or answered 5xx; retry or fall back.</summary>
    Unavailable,
    /// <summary>The store did not answer in time.</summary>
    Timeout,
    /// <summary>Quota or rate limit exceeded.</summary>
    ResourceExhausted,
    /// <summary>The store rejected the credentials.</summary>
    Unauthenticated,
    /// <summary>The store rejected the request as invalid (dimension mismatch, bad filter, ...).</summary>
    InvalidRequest,
    /// <summary>A named thing (namespace, collection) does not exist.</summary>
    NotFound,
    /// <summary>The store is not in a state to do this (e.g. embedding models disagree, embedding not allowed).</summary>
    FailedPrecondition,
    /// <summary>A circuit breaker is open: the store failed recently and is not being called.</summary>
    CircuitOpen,
    /// <summary>Anything else the store reported.</summary>
    Internal,
}

/// <summary>A failure reported by, or on the way to, a vector store.</summary>
/// <remarks>Messages never contain credentials. <see cref="IsTransient"/> tells the fallback decorator
/// whether another store may serve the read instead.</remarks>
public class VectorStoreException : Exception
{
    public VectorStoreException(string storeName, VectorStoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StoreName = storeName;
        Kind = kind;
    }

    /// <summary>The store that failed ("upstash", "chroma", "sqlite").</summary>
    public string StoreName { get; }

    public VectorStoreErrorKind Kind { get; }

    /// <summary>True when trying again later, or another store, may succeed.</summary>
    public bool IsTransient => Kind is VectorStoreErrorKind.Unavailable or VectorStoreErrorKind.Timeout
        or VectorStoreErrorKind.ResourceExhausted or VectorStoreErrorKind.CircuitOpen;

    /// <summary>Items written before a multi-batch write failed part way, when known.</summary>
    public IReadOnlyList<string> WrittenIds { get; init; } = [];
}

/// <summary>Two embedding spaces that must agree do not (a text query or fallback across models).</summary>
public sealed class EmbeddingSpaceMismatchException(string storeName, EmbeddingSpace expected, EmbeddingSpace actual, string? detail = null)
    : VectorStoreException(storeName, VectorStoreErrorKind.FailedPrecondition,
        $"Embedding spaces disagree for store '{storeName}': expected {expected}, found {actual}." + (detail is null ? "" : " " + detail))
{
    public EmbeddingSpace Expected { get; } = expected;
    public EmbeddingSpace Actual { get; } = actual;
}
