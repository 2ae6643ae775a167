using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Upstash;

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
        if (fallback is null)
        {
            services.AddSingleton<IVectorStore>(sp => sp.GetRequiredKeyedService<IVectorStore>(topology.PrimaryName));
            return services;
        }

        services.AddOptions<FallbackVectorStoreOptions>()
            .Bind(section.GetSection("FallbackPolicy"))
            .Configure(o => o.WriteMode = composition.WriteMode)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FallbackVectorStoreOptions>, FallbackVectorStoreOptionsValidator>());
        services.AddSingleton(sp => new FallbackVectorStore(
            sp.GetRequiredKeyedService<IVectorStore>(topology.PrimaryName),
            sp.GetRequiredKeyedService<IVectorStore>(topology.FallbackName),
            sp.GetRequiredService<IOptions<FallbackVectorStoreOptions>>().Value,
            composition.WriteMode == WriteMode.Dual ? RequireJournal(sp) : null,
            sp.GetRequiredService<ILogger<FallbackVectorStore>>(),
            sp.GetRequiredService<TimeProvider>()));
        // Further decorators (logging, metrics) go here with .Use(...); the first Use is the outermost.
        services.AddSingleton<IVectorStore>(sp => new VectorStoreBuilder(s => s.GetRequiredService<FallbackVectorStore>()).Build(sp));
        services.AddHostedService<EmbeddingSpaceCheckService>();
        if (composition.WriteMode == WriteMode.Dual)
        {
            services.AddRagFoodWriteJournal(section.GetSection("Journal"));
            services.AddHostedService<WriteJournalReplayService>();
        }

        return services;
    }

    /// <summary>Calls the provider's own Add… method. Adding a provider is one <c>case</c> line here.</summary>
    private static void AddProvider(IServiceCollection services, VectorStoreProvider provider, IConfigurationSection section)
    {
        switch (provider)
        {
            case VectorStoreProvider.Sqlite: services.AddRagFoodSqliteStore(section); break;
            case VectorStoreProvider.Upstash: services.AddUpstashVectorStore(section); break;
            case VectorStoreProvider.Chroma: services.AddChromaVectorStore(section); break;
            default:
                throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions),
                    [$"The {provider} vector store is not available in this build; use VectorStore:Provider = Sqlite."]);
        }
    }

    private static IWriteJournal RequireJournal(IServiceProvider services) =>
        services.GetService<IWriteJournal>()
        ?? throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions),
            ["VectorStore:WriteMode Dual needs a durable write journal, and none is registered in this build; use WriteMode Primary."]);
}
