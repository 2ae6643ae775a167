using MevdException = Microsoft.Extensions.VectorData.VectorStoreException;
using RagFoodException = RagFood.Core.VectorStores.VectorStoreException;

namespace RagFood.VectorData.Internal;

/// <summary>Runs one call to a RagFood store and reports its failures as MEVD's <see cref="MevdException"/>.</summary>
/// <remarks>Argument errors (<see cref="ArgumentException"/>), <see cref="NotSupportedException"/> and cancellation
/// pass through unchanged, per MEVD's convention; a RagFood store failure becomes an MEVD exception naming the store,
/// the collection and the operation, with the RagFood exception (its kind, transience, written ids) as the inner one.</remarks>
internal static class StoreCall
{
    public static async Task<T> RunAsync<T>(string storeName, string? collection, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RagFoodException e)
        {
            throw Wrap(e, storeName, collection, operation);
        }
    }

    /// <summary>The one <c>GetService</c> answer of the store and its collections: their metadata, the wrapped RagFood
    /// store, or the adapter itself; nothing for a keyed request.</summary>
    public static object? Service(Type serviceType, object? serviceKey, object metadata, RagFood.Core.VectorStores.IVectorStore store, object self)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == metadata.GetType() ? metadata
            : serviceType == typeof(RagFood.Core.VectorStores.IVectorStore) ? store
            : serviceType.IsInstanceOfType(self) ? self
            : null;
    }

    public static MevdException Wrap(RagFoodException e, string storeName, string? collection, string operation)
    {
        var where = collection is null ? "" : $" on collection '{collection}'";
        var written = e.WrittenIds.Count > 0 ? $" {e.WrittenIds.Count} record(s) were written before the failure." : "";
        return new MevdException($"RagFood store '{storeName}' failed in {operation}{where} ({e.Kind}{(e.IsTransient ? ", transient" : "")}): {e.Message}{written}", e)
        {
            VectorStoreSystemName = storeName,
            CollectionName = collection,
            OperationName = operation,
        };
    }
}
