using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>Registers the configured vector store(s) and composes the unkeyed <see cref="IVectorStore"/> the server uses.</summary>
public static class VectorStoreServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>VectorStore:Provider</c>, <c>:Fallback</c> and <c>:WriteMode</c>, registers only the providers named there
    /// (each binds and validates its own <c>VectorStore:{Provider}</c> section), and registers the unkeyed
    /// <see cref="IVectorStore"/> composed over the keyed provider stores.
    /// </summary>
    /// <remarks>
    /// The provider choice is read once, here: switching provider (a rollback) is a configuration change followed by a
    /// restart, because providers that were not configured at start were never registered or validated.
    /// </remarks>
    public static IServiceCollection AddRagFoodVectorStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(VectorStoreCompositionOptions.SectionName);
        services.AddOptions<VectorStoreCompositionOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VectorStoreCompositionOptions>, VectorStoreCompositionOptionsValidator>());

        var composition = section.Get<VectorStoreCompositionOptions>() ?? new VectorStoreCompositionOptions();
        var validation = new VectorStoreCompositionOptionsValidator().Validate(null, composition);
        if (validation.Failed)
        {
            // Registration depends on these values, so they are checked now rather than at ValidateOnStart.
            throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions), validation.Failures);
        }

        var fallback = composition.FallbackProvider;
        AddProvider(services, composition.Provider, section.GetSection(composition.Provider.ToString()));
        if (fallback is { } fallbackProvider)
        {
            AddProvider(services, fallbackProvider, section.GetSection(fallbackProvider.ToString()));
        }

        var topology = new VectorStoreTopology(
            VectorStoreTopology.ProviderName(composition.Provider),
            fallback is { } f ? VectorStoreTopology.ProviderName(f) : "",
            composition.WriteMode);
        services.AddSingleton(topology);
        services.AddSingleton<IVectorStore>(sp => ComposeStore(sp, topology));
        return services;
    }

    /// <summary>Calls the provider's own Add… method. Adding a provider is one <c>case</c> line here.</summary>
    private static void AddProvider(IServiceCollection services, VectorStoreProvider provider, IConfigurationSection section)
    {
        switch (provider)
        {
            case VectorStoreProvider.Sqlite: services.AddRagFoodSqliteStore(section); break;
            default:
                throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions),
                    [$"The {provider} vector store is not available in this build; use VectorStore:Provider = Sqlite."]);
        }
    }

    private static IVectorStore ComposeStore(IServiceProvider services, VectorStoreTopology topology)
    {
        var primary = services.GetRequiredKeyedService<IVectorStore>(topology.PrimaryName);
        if (topology.FallbackName.Length == 0)
        {
            return primary;
        }

        throw new InvalidOperationException("Fallback composition is not available in this build.");
    }
}
