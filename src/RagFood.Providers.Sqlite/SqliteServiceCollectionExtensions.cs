using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Sqlite;

/// <summary>Registers the embedded SQLite vector store.</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>Registers the store with options bound from <paramref name="section"/> (usually <c>VectorStore:Sqlite</c>).</summary>
    /// <remarks>The one convention of every provider (see <see cref="VectorStoreRegistration"/>): options validated at
    /// start, the store a singleton of its own type and a keyed <see cref="IVectorStore"/> under
    /// <see cref="SqliteVectorStore.ProviderName"/>. It embeds with the unkeyed
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, which the host registers. The file is opened on first use.</remarks>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddSqliteVectorStoreCore(null, builder => builder.Bind(section));
    }

    /// <summary>Registers the store with options set in code; otherwise as the configuration overload.</summary>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, Action<SqliteVectorStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddSqliteVectorStoreCore(null, builder => builder.Configure(configure));
    }

    /// <summary>Registers the store as the configuration overload does, and also as a keyed <see cref="IVectorStore"/>
    /// under <paramref name="serviceKey"/> (e.g. <c>"primary"</c>).</summary>
    public static IServiceCollection AddSqliteVectorStore(this IServiceCollection services, object serviceKey, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddSqliteVectorStoreCore(serviceKey, builder => builder.Bind(section));
    }

    private static IServiceCollection AddSqliteVectorStoreCore(this IServiceCollection services, object? serviceKey, Action<OptionsBuilder<SqliteVectorStoreOptions>> configure)
    {
        services.AddValidatedOptions<SqliteVectorStoreOptions, SqliteVectorStoreOptionsValidator>(configure);
        return services.AddVectorStoreSingleton<SqliteVectorStore>(SqliteVectorStore.ProviderName, serviceKey);
    }
}
