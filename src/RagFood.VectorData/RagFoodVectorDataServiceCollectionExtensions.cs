using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.VectorData;
using RagFood.Core.VectorStores;

namespace RagFood.VectorData;

/// <summary>Registers a RagFood store as an MEVD <see cref="VectorStore"/>.</summary>
public static class RagFoodVectorDataServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="VectorStore"/> (and <see cref="RagFoodVectorStore"/>) over the keyed
    /// <see cref="IVectorStore"/> registered under <paramref name="storeKey"/> (a provider name such as <c>"upstash"</c>,
    /// <c>"chroma"</c>, <c>"sqlite"</c>, or the key given to the provider's keyed overload).</summary>
    /// <remarks>Register the provider itself with its own <c>AddXxxVectorStore</c> (the one provider convention,
    /// <c>VectorStoreRegistration</c>); this wraps it and owns nothing. With <paramref name="serviceKey"/> the MEVD store is
    /// keyed instead, so several RagFood stores can be exposed side by side. Calling it twice registers nothing twice.</remarks>
    public static IServiceCollection AddRagFoodVectorStore(this IServiceCollection services, object storeKey, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(storeKey);
        return services.AddRagFoodVectorStore(provider => provider.GetRequiredKeyedService<IVectorStore>(storeKey), serviceKey);
    }

    /// <summary>Registers a singleton <see cref="VectorStore"/> over the store <paramref name="storeFactory"/> returns
    /// (e.g. the host's composed store with fallback); otherwise as the keyed overload.</summary>
    public static IServiceCollection AddRagFoodVectorStore(this IServiceCollection services, Func<IServiceProvider, IVectorStore> storeFactory, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storeFactory);
        if (serviceKey is null)
        {
            services.TryAddSingleton(provider => new RagFoodVectorStore(storeFactory(provider)));
            services.TryAddSingleton<VectorStore>(static provider => provider.GetRequiredService<RagFoodVectorStore>());
        }
        else
        {
            services.TryAddKeyedSingleton(serviceKey, (provider, _) => new RagFoodVectorStore(storeFactory(provider)));
            services.TryAddKeyedSingleton<VectorStore>(serviceKey, static (provider, key) => provider.GetRequiredKeyedService<RagFoodVectorStore>(key));
        }

        return services;
    }
}
