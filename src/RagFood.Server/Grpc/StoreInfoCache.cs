using RagFood.Core.VectorStores;

namespace RagFood.Server.Grpc;

/// <summary>The store's description, re-read at most every <see cref="Ttl"/>: dimension and embedding model do not change
/// while the server runs, and Query should not pay an Info round trip (a network call for Upstash) each time.</summary>
internal sealed class StoreInfoCache(IVectorStore store, TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private (VectorStoreInfo Info, DateTimeOffset Expires)? _cached;

    public async Task<VectorStoreInfo> GetAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        var now = time.GetUtcNow();
        if (cached is { } entry && entry.Expires > now)
        {
            return entry.Info;
        }

        var info = await store.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        _cached = (info, now + Ttl);
        return info;
    }
}
