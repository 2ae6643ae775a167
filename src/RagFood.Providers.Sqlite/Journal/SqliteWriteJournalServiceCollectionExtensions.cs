using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Sqlite.Journal;

/// <summary>Registers the durable SQLite write journal as the <see cref="IWriteJournal"/>.</summary>
public static class SqliteWriteJournalServiceCollectionExtensions
{
    /// <summary>Adds the journal bound to <paramref name="section"/> (usually <c>VectorStore:Journal</c>).</summary>
    /// <remarks>A singleton <see cref="IWriteJournal"/> (and <see cref="SqliteWriteJournal"/>); options are validated
    /// at start and the file is opened on first use. Register it only when <c>VectorStore:WriteMode</c> is Dual.</remarks>
    public static IServiceCollection AddSqliteWriteJournal(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<SqliteWriteJournalOptions>().Bind(section).ValidateOnStart();
        return services.AddSqliteWriteJournalCore();
    }

    /// <summary>Adds the journal configured in code.</summary>
    /// <remarks>Same registration as the configuration overload.</remarks>
    public static IServiceCollection AddSqliteWriteJournal(this IServiceCollection services, Action<SqliteWriteJournalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqliteWriteJournalOptions>().Configure(configure).ValidateOnStart();
        return services.AddSqliteWriteJournalCore();
    }

    private static IServiceCollection AddSqliteWriteJournalCore(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteWriteJournalOptions>, SqliteWriteJournalOptionsValidator>());
        services.TryAddSingleton(static provider => ActivatorUtilities.CreateInstance<SqliteWriteJournal>(provider));
        services.TryAddSingleton<IWriteJournal>(static provider => provider.GetRequiredService<SqliteWriteJournal>());
        return services;
    }
}
