using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Upstash;
using RagFood.Server.Health;

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
    /// Providers named at start (Provider, Fallback, and the optional <c>VectorStore:Standby</c> list) are registered;
    /// the composition over them is rebuilt when the configuration reloads (<see cref="StoreCompositionHolder"/>), so a
    /// rollback among them needs no restart.
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

        var registered = new HashSet<VectorStoreProvider> { composition.Provider };
        if (composition.FallbackProvider is { } fallbackProvider)
        {
            registered.Add(fallbackProvider);
        }

        foreach (var standby in (section["Standby"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            registered.Add(Enum.TryParse<VectorStoreProvider>(standby, ignoreCase: true, out var provider) ? provider
                : throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions),
                    [$"VectorStore:Standby '{standby}' is not a provider; use one of: {string.Join(", ", Enum.GetNames<VectorStoreProvider>())}."]));
        }

        foreach (var provider in registered)
        {
            AddProvider(services, provider, section.GetSection(provider.ToString()));
        }

        services.AddOptions<FallbackVectorStoreOptions>()
            .Bind(section.GetSection("FallbackPolicy"))
            .Configure(o => o.WriteMode = composition.WriteMode)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FallbackVectorStoreOptions>, FallbackVectorStoreOptionsValidator>());
        services.AddSingleton(new RegisteredProviders(registered));
        services.AddSingleton(sp => new StoreHealthMonitor(
            sp.GetRequiredService<IOptions<FallbackVectorStoreOptions>>().Value,
            sp.GetRequiredService<ILogger<StoreHealthMonitor>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IStoreHealthMonitor>(sp => sp.GetRequiredService<StoreHealthMonitor>());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StoreCompositionHolder>(sp, configuration));
        services.AddSingleton<IStoreComposition>(sp => sp.GetRequiredService<StoreCompositionHolder>());
        services.AddSingleton<IVectorStore, SwitchingVectorStore>();
        // The topology at start, as an instance for registration-time readers (telemetry role tags); then, winning at
        // resolution, per resolution: a gRPC call sees the topology of the composition current when it started.
        services.AddSingleton(new VectorStoreTopology(
            VectorStoreTopology.ProviderName(composition.Provider),
            composition.FallbackProvider is { } startFallback ? VectorStoreTopology.ProviderName(startFallback) : "",
            composition.WriteMode));
        services.AddTransient(sp => sp.GetRequiredService<IStoreComposition>().Current.Topology);
        services.AddSingleton<StoreProbeCache>();
        services.AddHostedService<StoreProbeService>();
        services.AddRagFoodFallbackMetrics();
        // The side file (journals, corpus markers) is opened on first use only.
        services.AddRagFoodWriteJournal(section.GetSection("Journal"));
        if (registered.Count > 1)
        {
            services.AddHostedService<EmbeddingSpaceCheckService>();
            services.AddHostedService<JournalReplayService>();
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
}
