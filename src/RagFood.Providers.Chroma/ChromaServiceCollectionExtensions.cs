using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Chroma;

/// <summary>Registers the Chroma vector store.</summary>
public static class ChromaServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ChromaVectorStore"/> bound to a configuration section (normally <c>VectorStore:Chroma</c>).</summary>
    /// <remarks>Options are validated at start (<c>ValidateOnStart</c>). The store is a keyed singleton
    /// <see cref="IVectorStore"/> under <see cref="ChromaVectorStore.ProviderName"/>; it takes the unkeyed
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> from DI, which the host must register.</remarks>
    public static IServiceCollection AddChromaVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddChromaVectorStoreCore(builder => builder.Bind(section));
    }

    /// <summary>Registers <see cref="ChromaVectorStore"/> configured in code.</summary>
    public static IServiceCollection AddChromaVectorStore(this IServiceCollection services, Action<ChromaVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddChromaVectorStoreCore(builder => builder.Configure(configure));
    }

    private static IServiceCollection AddChromaVectorStoreCore(this IServiceCollection services, Action<OptionsBuilder<ChromaVectorStoreOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<ChromaVectorStoreOptions>();
        configure(optionsBuilder);
        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChromaVectorStoreOptions>, ChromaVectorStoreOptionsValidator>());

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

        services.TryAddSingleton(sp => new ChromaVectorStore(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<ChromaVectorStoreOptions>>(),
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetService<ILogger<ChromaVectorStore>>()));
        services.TryAddKeyedSingleton<IVectorStore>(ChromaVectorStore.ProviderName, (sp, _) => sp.GetRequiredService<ChromaVectorStore>());
        return services;
    }
}
