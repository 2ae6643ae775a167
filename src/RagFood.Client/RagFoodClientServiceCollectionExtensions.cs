using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFood.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RagFoodClient"/> in a service collection.</summary>
public static class RagFoodClientServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="RagFoodClient"/> configured by <paramref name="configure"/>.</summary>
    /// <remarks>
    /// The options are validated when the host starts (<c>ValidateOnStart</c>) and again when the client is first
    /// resolved. The client owns one <c>GrpcChannel</c> for the process; the container disposes it.
    /// Calling this more than once adds configuration steps but still registers one client.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets address, API key, default deadline and retries.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddRagFoodClient(this IServiceCollection services, Action<RagFoodClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RagFoodClientOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>Registers a singleton <see cref="RagFoodClient"/> bound to a configuration section
    /// (keys <c>Address</c>, <c>ApiKey</c>, <c>DefaultDeadline</c>, <c>MaxRetries</c>, <c>InitialBackoff</c>, <c>MaxBackoff</c>).</summary>
    /// <remarks>Same behaviour as the delegate overload.</remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section, e.g. <c>configuration.GetSection("RagFood")</c>.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddRagFoodClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<RagFoodClientOptions>().Bind(section).ValidateOnStart();
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RagFoodClientOptions>, RagFoodClientOptionsValidator>());
        services.TryAddSingleton(sp => new RagFoodClient(
            sp.GetRequiredService<IOptions<RagFoodClientOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
