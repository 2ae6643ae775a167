namespace RagFood.Core.VectorStores;

/// <summary>
/// A vector store: Upstash Vector, a Chroma server, or the embedded SQLite store.
/// </summary>
/// <remarks>
/// <para>Text in, text out: callers hand the store text and the store embeds it (on its own servers, or with
/// the <c>IEmbeddingGenerator</c> it was given). A record or query may carry a vector instead; its length must
/// equal the store's dimension.</para>
/// <para>Scores are similarities in [0, 1], higher is closer, on Upstash's convention (cosine → (1 + cos) / 2).</para>
/// <para>Every operation has a namespace; <c>""</c> is the default namespace and always exists.</para>
/// <para>Failures: invalid arguments throw <see cref="ArgumentException"/> (including
/// <see cref="Filtering.FilterSyntaxException"/>) before any I/O; store failures throw
/// <see cref="VectorStoreException"/> carrying the store name and whether a retry or fallback may help.
/// Cancellation surfaces as <see cref="OperationCanceledException"/> and is never swallowed.</para>
/// </remarks>
public interface IVectorStore
{
    /// <summary>Short, stable name of the store ("sqlite", "upstash", "chroma"), used in responses and errors.</summary>
    string Name { get; }

    /// <summary>Inserts or fully replaces records (metadata is not merged).</summary>
    /// <remarks>Records without a vector are embedded from their text; a record with neither is an argument error.
    /// Duplicate ids within one call: the last one wins. Acknowledged means durable.</remarks>
    Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns at most <see cref="VectorQuery.TopK"/> matches, best first.</summary>
    /// <remarks>Querying a namespace that does not exist returns no matches and does not create it.</remarks>
    Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads records by ids (result aligned with the ids, <c>null</c> where unknown) or by id prefix.</summary>
    Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes by ids, prefix or filter (exactly one) and returns how many records were removed.</summary>
    Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default);

    /// <summary>Pages through a namespace in insertion order; <see cref="RangePage.NextCursor"/> is empty at the end.</summary>
    Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Counts per namespace, dimension, similarity and embedding model.</summary>
    Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>Empties one namespace (<paramref name="namespace"/>) or all of them; namespaces stay listed.</summary>
    /// <remarks>Resetting a namespace that does not exist succeeds and does not create it.</remarks>
    Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default);

    /// <summary>Lists namespaces; always includes the default namespace <c>""</c>.</summary>
    Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a namespace and its records; <c>false</c> when it did not exist.</summary>
    /// <exception cref="ArgumentException">The default namespace cannot be deleted.</exception>
    Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default);
}
