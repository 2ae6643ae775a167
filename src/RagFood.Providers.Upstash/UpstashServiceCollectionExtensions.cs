using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Upstash.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace RagFood.Providers.Upstash;

/// <summary>Registers the Upstash Vector store.</summary>
public static class UpstashServiceCollectionExtensions
{
    /// <summary>Registers the store with options bound from <paramref name="section"/> (usually <c>VectorStore:Upstash</c>).</summary>
    /// <remarks>The one convention of every provider (see <see cref="VectorStoreRegistration"/>): options validated at
    /// start, the store a singleton of its own type and a keyed <see cref="IVectorStore"/> under
    /// <see cref="UpstashVectorStore.ProviderName"/>. Url and Token left empty are taken from <c>UPSTASH_VECTOR_REST_URL</c> /
    /// <c>UPSTASH_VECTOR_REST_TOKEN</c>, then from a <c>.env</c> file in the working directory.</remarks>
    public static IServiceCollection AddUpstashVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddUpstashVectorStoreCore(null, builder => builder.Bind(section));
    }

    /// <summary>Registers the store with options set in code; otherwise as the configuration overload.</summary>
    public static IServiceCollection AddUpstashVectorStore(this IServiceCollection services, Action<UpstashVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddUpstashVectorStoreCore(null, builder => builder.Configure(configure));
    }

    /// <summary>Registers the store as the configuration overload does, and also as a keyed <see cref="IVectorStore"/>
    /// under <paramref name="serviceKey"/> (e.g. <c>"primary"</c>).</summary>
    public static IServiceCollection AddUpstashVectorStore(this IServiceCollection services, object serviceKey, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddUpstashVectorStoreCore(serviceKey, builder => builder.Bind(section));
    }

    private static IServiceCollection AddUpstashVectorStoreCore(this IServiceCollection services, object? serviceKey, Action<OptionsBuilder<UpstashVectorStoreOptions>> configure)
    {
        services.AddValidatedOptions<UpstashVectorStoreOptions, UpstashVectorStoreOptionsValidator>(configure)
            .PostConfigure(options => UpstashCredentialSources.Fill(
                options, Environment.GetEnvironmentVariable, Path.Combine(Directory.GetCurrentDirectory(), ".env")));

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

        return services.AddVectorStoreSingleton<UpstashVectorStore>(UpstashVectorStore.ProviderName, serviceKey);
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
