using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The one registration convention of every provider's <c>AddXxxVectorStore</c>.</summary>
/// <remarks>
/// <para>A provider registers: its options (bound from a section or configured in code) with its validator, checked
/// at start (<c>ValidateOnStart</c>); its store as a singleton of its own type; and that same instance as a keyed
/// <see cref="IVectorStore"/> under its provider name (<c>"sqlite"</c>, <c>"upstash"</c>, <c>"chroma"</c>) and, from
/// the keyed overload, under the caller's key as well. Calling it twice registers nothing twice.</para>
/// </remarks>
public static class VectorStoreRegistration
{
    /// <summary>Registers options of <typeparamref name="TOptions"/> with <typeparamref name="TValidator"/>, validated at start.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, Action<OptionsBuilder<TOptions>> configure)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddOptions<TOptions>();
        configure(builder);
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }

    /// <summary>Registers <typeparamref name="TStore"/> as a singleton and as a keyed <see cref="IVectorStore"/> under
    /// <paramref name="providerName"/> and, when given, <paramref name="serviceKey"/>.</summary>
    public static IServiceCollection AddVectorStoreSingleton<TStore>(this IServiceCollection services, string providerName, object? serviceKey = null)
        where TStore : class, IVectorStore
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TStore>();
        services.TryAddKeyedSingleton<IVectorStore>(providerName, static (provider, _) => provider.GetRequiredService<TStore>());
        if (serviceKey is not null && !Equals(serviceKey, providerName))
        {
            services.TryAddKeyedSingleton<IVectorStore>(serviceKey, static (provider, _) => provider.GetRequiredService<TStore>());
        }

        return services;
    }
}
