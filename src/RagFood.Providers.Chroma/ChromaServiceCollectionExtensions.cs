using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Chroma.Internal;

namespace RagFood.Providers.Chroma;

/// <summary>Registers the Chroma vector store.</summary>
public static class ChromaServiceCollectionExtensions
{
    /// <summary>Registers the store with options bound from <paramref name="section"/> (usually <c>VectorStore:Chroma</c>).</summary>
    /// <remarks>The one convention of every provider (see <see cref="VectorStoreRegistration"/>): options validated at
    /// start, the store a singleton of its own type and a keyed <see cref="IVectorStore"/> under
    /// <see cref="ChromaVectorStore.ProviderName"/>. It embeds with the unkeyed
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, which the host registers.</remarks>
    public static IServiceCollection AddChromaVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddChromaVectorStoreCore(null, builder => builder.Bind(section));
    }

    /// <summary>Registers the store with options set in code; otherwise as the configuration overload.</summary>
    public static IServiceCollection AddChromaVectorStore(this IServiceCollection services, Action<ChromaVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddChromaVectorStoreCore(null, builder => builder.Configure(configure));
    }

    /// <summary>Registers the store as the configuration overload does, and also as a keyed <see cref="IVectorStore"/>
    /// under <paramref name="serviceKey"/> (e.g. <c>"primary"</c>).</summary>
    public static IServiceCollection AddChromaVectorStore(this IServiceCollection services, object serviceKey, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddChromaVectorStoreCore(serviceKey, builder => builder.Bind(section));
    }

    private static IServiceCollection AddChromaVectorStoreCore(this IServiceCollection services, object? serviceKey, Action<OptionsBuilder<ChromaVectorStoreOptions>> configure)
    {
        services.AddValidatedOptions<ChromaVectorStoreOptions, ChromaVectorStoreOptionsValidator>(configure);

        services.AddHttpClient(ChromaVectorStore.HttpClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<ChromaVectorStoreOptions>>().Value;
                var url = options.Url.ToString().TrimEnd('/');
                client.BaseAddress = new Uri(url + "/api/v2/");
                // The resilience pipeline owns timeouts; HttpClient's own would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
                if (!string.IsNullOrEmpty(options.Token))
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
                }
            })
            .AddResilienceHandler("chroma", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ChromaVectorStoreOptions>>().Value;
                // Every request the store sends is idempotent (upsert, get, query, delete by ids, count), so retrying is safe.
                HttpResiliencePipeline.Configure(pipeline, options);
            });

        return services.AddVectorStoreSingleton<ChromaVectorStore>(ChromaVectorStore.ProviderName, serviceKey);
    }
}
