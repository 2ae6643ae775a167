namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The limits every <see cref="IVectorStore"/> enforces, through <see cref="VectorStoreRules"/>.</summary>
/// <remarks>Written once here; stores, the gRPC edge and the corpus loader refer to these constants rather than
/// declaring their own. A backend that allows less (Chroma's collection names) refuses more, never less.</remarks>
public static class VectorStoreLimits
{
    /// <summary>Longest record id, in UTF-16 characters.</summary>
    public const int MaxIdLength = 512;

    /// <summary>Longest namespace, in UTF-16 characters.</summary>
    public const int MaxNamespaceLength = 256;

    /// <summary>Most records per upsert, ids per fetch or delete, and records per range page.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>Largest top k of a query (Upstash's limit, kept for every store).</summary>
    public const int MaxTopK = 1000;

    /// <summary>Largest metadata of one record, serialized as compact UTF-8 JSON: 48 KB, Upstash's per-record limit.</summary>
    public const int MaxMetadataBytes = 48 * 1024;

    /// <summary>Deepest nesting of metadata: the top-level object is depth 1, an object or array inside it depth 2.</summary>
    /// <remarks>16 leaves room for any real document shape and stays far below System.Text.Json's and protobuf's
    /// own recursion limits (64 and 100), so a deep document is refused with this rule's message, not theirs.</remarks>
    public const int MaxMetadataDepth = 16;

    /// <summary>Longest metadata key (at any depth), in UTF-16 characters.</summary>
    public const int MaxMetadataKeyLength = 256;

    /// <summary>Most keys in one record's metadata, counted over every nested object.</summary>
    public const int MaxMetadataKeys = 256;
}
