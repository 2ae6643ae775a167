using RagFood.Core.VectorStores;

namespace RagFood.Server.Grpc;

/// <summary>The store's description, re-read at most every <see cref="Ttl"/>: dimension and embedding model do not change
/// while the server runs, and Query should not pay an Info round trip (a network call for Upstash) each time.</summary>
/// <remarks>The cached answer and its expiry are one immutable object swapped in whole, so concurrent readers never see
/// one without the other.</remarks>
internal sealed class StoreInfoCache(IVectorStore store, TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private Entry? _cached;

    /// <summary>The cached description (no allocation while it is fresh), else a new one read from the store.</summary>
    public ValueTask<VectorStoreInfo> GetAsync(CancellationToken cancellationToken)
    {
        var cached = Volatile.Read(ref _cached);
        return cached is not null && cached.Expires > time.GetUtcNow()
            ? new ValueTask<VectorStoreInfo>(cached.Info)
            : new ValueTask<VectorStoreInfo>(RefreshAsync(cancellationToken));
    }

    private async Task<VectorStoreInfo> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var info = await store.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _cached, new Entry(info, now + Ttl));
        return info;
    }

    private sealed record Entry(VectorStoreInfo Info, DateTimeOffset Expires);
}
