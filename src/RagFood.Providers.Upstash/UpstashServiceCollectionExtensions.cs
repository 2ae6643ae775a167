using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using Microsoft.Extensions.DependencyInjection;

namespace RagFood.Providers.Upstash;

/// <summary>Registers the Upstash Vector store.</summary>
public static class UpstashServiceCollectionExtensions
{
    /// <summary>Registers the store with options bound from <paramref name="section"/> (usually <c>VectorStore:Upstash</c>).</summary>
    /// <remarks>Url and Token left empty are taken from <c>UPSTASH_VECTOR_REST_URL</c> / <c>UPSTASH_VECTOR_REST_TOKEN</c>,
    /// then from a <c>.env</c> file in the working directory. Options are validated at start. The store is a keyed
    /// singleton <see cref="IVectorStore"/> under <see cref="UpstashVectorStore.ProviderName"/> (and also
    /// resolvable as <see cref="UpstashVectorStore"/> for Upstash-only operations such as update).</remarks>
    public static IServiceCollection AddUpstashVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<UpstashVectorStoreOptions>().Bind(section);
        return AddCore(services);
    }

    /// <summary>Registers the store with options set in code; see the other overload for defaults and lifetime.</summary>
    public static IServiceCollection AddUpstashVectorStore(this IServiceCollection services, Action<UpstashVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<UpstashVectorStoreOptions>().Configure(configure);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<UpstashVectorStoreOptions>()
            .PostConfigure(options => UpstashCredentialSources.Fill(
                options, Environment.GetEnvironmentVariable, Path.Combine(Directory.GetCurrentDirectory(), ".env")))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpstashVectorStoreOptions>, UpstashVectorStoreOptionsValidator>());

        services.AddHttpClient(UpstashVectorStore.HttpClientName, (provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<UpstashVectorStoreOptions>>().Value;
                client.BaseAddress = new Uri(options.Url!.Trim().TrimEnd('/') + "/");
                client.DefaultRequestHeaders.Authorization = new("Bearer", options.Token!.Trim());
                // The resilience pipeline owns timing: HttpClient's own 100 s timeout would cut across it.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("upstash", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<UpstashVectorStoreOptions>>().Value;
                HttpResiliencePipeline.Configure(pipeline, options, inner =>
                {
                    if (options.RequestsPerSecond > 0)
                    {
                        var limiter = CreateRateLimiter(options.RequestsPerSecond);
                        context.OnPipelineDisposed(limiter.Dispose);
                        inner.AddRateLimiter(limiter);
                    }
                });
            });

        services.TryAddSingleton<UpstashVectorStore>();
        services.AddKeyedSingleton<IVectorStore>(UpstashVectorStore.ProviderName, (provider, _) => provider.GetRequiredService<UpstashVectorStore>());
        return services;
    }

    /// <summary>A token bucket refilled in small steps, so the rate is even rather than bursting once a second.</summary>
    private static TokenBucketRateLimiter CreateRateLimiter(double requestsPerSecond)
    {
        var period = requestsPerSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / requestsPerSecond);
        var tokens = Math.Max(1, (int)Math.Ceiling(requestsPerSecond * period.TotalSeconds));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
