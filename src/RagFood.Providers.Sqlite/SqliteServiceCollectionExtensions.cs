using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Sqlite;

/// <summary>Registers the embedded SQLite vector store.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>Adds the SQLite store bound to <paramref name="section"/> (usually <c>VectorStore:Sqlite</c>).</summary>
    /// <remarks>The store is a keyed singleton <see cref="IVectorStore"/> under <see cref="SqliteVectorStore.ProviderName"/>;
    /// it embeds with the unkeyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, which the host registers.
    /// Options are validated at start. The file is opened on first use.</remarks>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<SqliteVectorStoreOptions>().Bind(section).ValidateOnStart();
        return services.AddSqliteVectorStoreCore();
    }

    /// <summary>Adds the SQLite store configured in code.</summary>
    /// <remarks>Same registration as the configuration overload.</remarks>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, Action<SqliteVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqliteVectorStoreOptions>().Configure(configure).ValidateOnStart();
        return services.AddSqliteVectorStoreCore();
    }

    private static IServiceCollection AddSqliteVectorStoreCore(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteVectorStoreOptions>, SqliteVectorStoreOptionsValidator>());
        services.AddKeyedSingleton<IVectorStore>(SqliteVectorStore.ProviderName,
            static (provider, _) => ActivatorUtilities.CreateInstance<SqliteVectorStore>(provider));
        return services;
    }
}
