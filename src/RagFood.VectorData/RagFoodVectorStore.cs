using System.Runtime.CompilerServices;
using Microsoft.Extensions.VectorData;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.VectorData.Internal;

namespace RagFood.VectorData;

/// <summary>Any RagFood <see cref="IVectorStore"/> (SQLite, Chroma, Upstash, or a composed store) as an MEVD
/// <see cref="VectorStore"/>: each namespace is a collection.</summary>
/// <remarks>
/// <para>Collections: <see cref="GetCollection{TKey, TRecord}"/> for record classes (string keys) and
/// <see cref="GetDynamicCollection"/> for <c>Dictionary&lt;string, object?&gt;</c> records. Names follow the kernel's
/// namespace rule; <c>""</c> is the default namespace, which always exists and cannot be deleted.</para>
/// <para><see cref="ListCollectionNamesAsync"/> lists the store's namespaces, <c>""</c> included. On every RagFood
/// store a namespace appears with its first upsert (there is no create call), and one emptied by a reset stays
/// listed until it is deleted.</para>
/// <para>The adapter owns nothing: disposing it leaves the RagFood store to its owner (usually the DI container).</para>
/// </remarks>
public sealed class RagFoodVectorStore : VectorStore
{
    private readonly IVectorStore _store;
    private readonly VectorStoreMetadata _metadata;

    /// <summary>Wraps <paramref name="store"/>; no I/O.</summary>
    public RagFoodVectorStore(IVectorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _metadata = new VectorStoreMetadata { VectorStoreSystemName = store.Name };
    }

    /// <inheritdoc />
    public override RagFoodCollection<TKey, TRecord> GetCollection<TKey, TRecord>(string name, VectorStoreCollectionDefinition? definition = null)
    {
        if (typeof(TRecord) == typeof(Dictionary<string, object?>))
        {
            throw new NotSupportedException("Dictionary<string, object?> records need the dynamic collection: call GetDynamicCollection.");
        }

        return new RagFoodCollection<TKey, TRecord>(_store, name, new RagFoodCollectionOptions { Definition = definition });
    }

    /// <inheritdoc />
    public override RagFoodCollection<object, Dictionary<string, object?>> GetDynamicCollection(string name, VectorStoreCollectionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new RagFoodCollection<object, Dictionary<string, object?>>(_store, name, new RagFoodCollectionOptions { Definition = definition });
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<string> ListCollectionNamesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = await StoreCall.RunAsync(_store.Name, null, "ListCollectionNames", () => _store.ListNamespacesAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var name in names)
        {
            yield return name;
        }
    }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Namespace(name);
        return StoreCall.RunAsync(_store.Name, name, "CollectionExists", async () => (await _store.ListNamespacesAsync(cancellationToken).ConfigureAwait(false)).Contains(name));
    }

    /// <inheritdoc />
    /// <remarks>Deletes the namespace and its records; absent is fine. The default namespace cannot be deleted.</remarks>
    public override Task EnsureCollectionDeletedAsync(string name, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.NamespaceToDelete(name);
        return StoreCall.RunAsync(_store.Name, name, "EnsureCollectionDeleted", () => _store.DeleteNamespaceAsync(name, cancellationToken));
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        StoreCall.Service(serviceType, serviceKey, _metadata, _store, this);
}
