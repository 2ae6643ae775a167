using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

internal static class SqliteStoreRegistration
{
    // Placeholder until RagFood.Providers.Sqlite lands: replaced by AddSqliteVectorStore.
    public static IServiceCollection AddRagFoodSqliteStore(this IServiceCollection services, IConfigurationSection section)
    {
        _ = section;
        services.AddKeyedSingleton<IVectorStore>("sqlite", (_, _) => throw new InvalidOperationException("The SQLite store is not available yet."));
        return services;
    }
}
