namespace RagFood.Core.VectorStores;

/// <summary>Base for decorators: forwards every call to <see cref="InnerStore"/>.</summary>
/// <remarks>Modelled on Microsoft.Extensions.AI's <c>DelegatingChatClient</c>; override only what the decorator changes.</remarks>
public abstract class DelegatingVectorStore(IVectorStore innerStore) : IVectorStore
{
    protected IVectorStore InnerStore { get; } = innerStore ?? throw new ArgumentNullException(nameof(innerStore));

    public virtual string Name => InnerStore.Name;

    public virtual Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
        => InnerStore.UpsertAsync(request, cancellationToken);

    public virtual Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
        => InnerStore.QueryAsync(query, cancellationToken);

    public virtual Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
        => InnerStore.FetchAsync(request, cancellationToken);

    public virtual Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
        => InnerStore.DeleteAsync(request, cancellationToken);

    public virtual Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
        => InnerStore.RangeAsync(request, cancellationToken);

    public virtual Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => InnerStore.GetInfoAsync(cancellationToken);

    public virtual Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
        => InnerStore.ResetAsync(@namespace, all, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => InnerStore.ListNamespacesAsync(cancellationToken);

    public virtual Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
        => InnerStore.DeleteNamespaceAsync(@namespace, cancellationToken);
}
