using RagFood.Providers.Sqlite;

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
}
