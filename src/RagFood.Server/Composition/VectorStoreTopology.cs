using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>The store names as configured at start, for responses that must name a store when nothing was recorded.</summary>
/// <param name="PrimaryName">Provider name of the primary ("sqlite", "upstash", "chroma").</param>
/// <param name="FallbackName">Provider name of the fallback, or "" when none.</param>
/// <param name="WriteMode">How writes are handled.</param>
internal sealed record VectorStoreTopology(string PrimaryName, string FallbackName, WriteMode WriteMode)
{
    /// <summary>The keyed-service name of a provider, the same string as the store's <c>Name</c>.</summary>
    public static string ProviderName(VectorStoreProvider provider) => provider switch
    {
        VectorStoreProvider.Sqlite => "sqlite",
        VectorStoreProvider.Upstash => "upstash",
        VectorStoreProvider.Chroma => "chroma",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown vector store provider."),
    };
}
