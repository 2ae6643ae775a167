using RagFood.Providers.Sqlite;
using RagFood.Core.Durable;

namespace RagFood.Server.Composition;

internal static class SqliteStoreRegistration
{
    /// <summary>The SQLite provider, with a relative <c>VectorStore:Sqlite:Path</c> resolved under the content root
    /// (the provider itself resolves against the current directory, which differs when the server runs from elsewhere).</summary>
    public static IServiceCollection AddRagFoodSqliteStore(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddSqliteVectorStore(section);
        services.AddOptions<SqliteVectorStoreOptions>().PostConfigure<IHostEnvironment>((options, environment) =>
        {
            if (!string.IsNullOrWhiteSpace(options.Path) && !Path.IsPathRooted(options.Path))
            {
                options.Path = Path.GetFullPath(options.Path, environment.ContentRootPath);
            }
        });
        return services;
    }

    /// <summary>The durable outboxes for <c>WriteMode = Dual</c> (one side file, a journal per target store) (<c>VectorStore:Journal:Path</c>, default
    /// <c>data/ragfood-journal.db</c>), with a relative path resolved under the content root like the store's.</summary>
    public static IServiceCollection AddRagFoodWriteJournal(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<DurableSideFileOptions>().Bind(section);
        services.AddDurableWriteJournals();
        services.AddOptions<DurableSideFileOptions>().PostConfigure<IHostEnvironment>((options, environment) =>
        {
            if (!string.IsNullOrWhiteSpace(options.Path) && !Path.IsPathRooted(options.Path))
            {
                options.Path = Path.GetFullPath(options.Path, environment.ContentRootPath);
            }
        });
        return services;
    }
}
