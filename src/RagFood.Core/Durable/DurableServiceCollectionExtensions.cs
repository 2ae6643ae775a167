using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Durable;

/// <summary>Registers the durable side file and the write journals kept in it.</summary>
public static class DurableServiceCollectionExtensions
{
    /// <summary>Adds one <see cref="DurableSideFile"/> (options bound by the caller as <see cref="DurableSideFileOptions"/>)
    /// and an <see cref="IWriteJournalFactory"/> whose journals share it.</summary>
    /// <remarks>Singletons; options are validated at start and the file is opened on first use.</remarks>
    public static IServiceCollection AddDurableWriteJournals(this IServiceCollection services)
    {
        services.AddOptions<DurableSideFileOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurableSideFileOptions>, DurableSideFileOptionsValidator>());
        services.TryAddSingleton(static sp => new DurableSideFile(sp.GetRequiredService<IOptions<DurableSideFileOptions>>().Value));
        services.TryAddSingleton<IWriteJournalFactory>(static sp => new SqliteWriteJournalFactory(
            sp.GetRequiredService<DurableSideFile>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
