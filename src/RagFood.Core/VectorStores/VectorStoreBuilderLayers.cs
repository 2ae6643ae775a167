using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary><c>Use…</c> shorthands for the decorators Core ships, resolving loggers and clocks from the container.</summary>
public static class VectorStoreBuilderLayers
{
    /// <summary>Adds the fallback layers (<see cref="FallbackComposition"/>: dual-write over failover) over everything
    /// added after it.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="secondary">The store that serves reads when the inner store fails or is slow.</param>
    /// <param name="options">Write mode, hedging and replay settings; <see cref="WriteMode.Primary"/> when <c>null</c>.</param>
    /// <param name="journal">The fallback's outbox for <see cref="WriteMode.Dual"/>; resolved as <see cref="IWriteJournal"/>
    /// from the container when <c>null</c> and Dual is asked for.</param>
    /// <param name="primaryJournal">The primary's outbox while it is down; <c>null</c> refuses writes then.</param>
    public static VectorStoreBuilder UseFallback(
        this VectorStoreBuilder builder,
        IVectorStore secondary,
        FallbackVectorStoreOptions? options = null,
        IWriteJournal? journal = null,
        IWriteJournal? primaryJournal = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(secondary);
        return builder.Use((inner, services) => FallbackComposition.Create(
            inner,
            secondary,
            options,
            journal ?? (options?.WriteMode == WriteMode.Dual ? services.GetService<IWriteJournal>() : null),
            primaryJournal,
            services.GetService<StoreHealthMonitor>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<TimeProvider>()).Store);
    }

    /// <summary>Adds a <see cref="LoggingVectorStore"/> layer (a no-op logger when the container has none).</summary>
    public static VectorStoreBuilder UseLogging(this VectorStoreBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new LoggingVectorStore(
            inner,
            services.GetService<ILogger<LoggingVectorStore>>() ?? NullLogger<LoggingVectorStore>.Instance,
            services.GetService<TimeProvider>()));
    }
}
