namespace RagFood.Core.VectorStores;

/// <summary>The names <see cref="ObservedVectorStore"/> gives the contract's operations, in metrics, spans and usage counts.</summary>
public static class StoreOperation
{
    public const string Upsert = "upsert";
    public const string Query = "query";
    public const string Fetch = "fetch";
    public const string Delete = "delete";
    public const string Range = "range";
    public const string Info = "info";
    public const string Reset = "reset";
    public const string ListNamespaces = "list_namespaces";
    public const string DeleteNamespace = "delete_namespace";

    /// <summary>Every operation, in contract order.</summary>
    public static IReadOnlyList<string> All { get; } = [Upsert, Query, Fetch, Delete, Range, Info, Reset, ListNamespaces, DeleteNamespace];

    /// <summary>True for operations that change data (Upstash's "updates"); false for reads (its "queries").</summary>
    public static bool IsWrite(string operation) => operation is Upsert or Delete or Reset or DeleteNamespace;
}

/// <summary>Base for decorators that watch every call the same way (timing, spans, counting) without changing it.</summary>
/// <remarks>Each operation is routed through <see cref="ObserveAsync{T}"/> with its <see cref="StoreOperation"/> name, the
/// namespace and a function that says how many records the result carried; the subclass decides what to record.</remarks>
public abstract class ObservedVectorStore(IVectorStore innerStore) : DelegatingVectorStore(innerStore)
{
    /// <summary>Runs <paramref name="call"/> (the inner store's operation) and records what the subclass records.</summary>
    /// <param name="operation">A <see cref="StoreOperation"/> name.</param>
    /// <param name="namespace">The namespace of the call, <c>""</c> when it has none.</param>
    /// <param name="call">The inner call.</param>
    /// <param name="records">How many records the result carried (written, returned or removed).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    protected abstract Task<T> ObserveAsync<T>(string operation, string @namespace, Func<CancellationToken, Task<T>> call, Func<T, long> records, CancellationToken cancellationToken);

    public override Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ObserveAsync(StoreOperation.Upsert, request.Namespace, ct => InnerStore.UpsertAsync(request, ct), r => r.Upserted, cancellationToken);
    }

    public override Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ObserveAsync(StoreOperation.Query, query.Namespace, ct => InnerStore.QueryAsync(query, ct), r => r.Count, cancellationToken);
    }

    public override Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ObserveAsync(StoreOperation.Fetch, request.Namespace, ct => InnerStore.FetchAsync(request, ct), r => r.Count(x => x is not null), cancellationToken);
    }

    public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ObserveAsync(StoreOperation.Delete, request.Namespace, ct => InnerStore.DeleteAsync(request, ct), r => r, cancellationToken);
    }

    public override Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ObserveAsync(StoreOperation.Range, request.Namespace, ct => InnerStore.RangeAsync(request, ct), r => r.Records.Count, cancellationToken);
    }

    public override Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => ObserveAsync(StoreOperation.Info, "", InnerStore.GetInfoAsync, _ => 0, cancellationToken);

    public override Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
        => ObserveAsync(StoreOperation.Reset, @namespace, async ct =>
        {
            await InnerStore.ResetAsync(@namespace, all, ct).ConfigureAwait(false);
            return true;
        }, _ => 0, cancellationToken);

    public override Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => ObserveAsync(StoreOperation.ListNamespaces, "", InnerStore.ListNamespacesAsync, r => 0, cancellationToken);

    public override Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
        => ObserveAsync(StoreOperation.DeleteNamespace, @namespace, ct => InnerStore.DeleteNamespaceAsync(@namespace, ct), _ => 0, cancellationToken);
}
