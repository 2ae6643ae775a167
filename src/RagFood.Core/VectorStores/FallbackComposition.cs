using Microsoft.Extensions.Logging;

namespace RagFood.Core.VectorStores;

/// <summary>A primary and its fallback composed from the three parts: dual-write journaling (outermost, writes),
/// failover (reads) and the journal replayer (run by the host).</summary>
/// <remarks>
/// <para>Built with <see cref="VectorStoreBuilder"/>: <c>DualWriteVectorStore → FailoverVectorStore → primary</c>.
/// Without <see cref="WriteMode.Dual"/> there is no dual-write layer and no replayer.</para>
/// <para>The parts share one <see cref="StorePairSpaces"/> (learnt spaces) and one <see cref="StoreHealthMonitor"/>
/// (breakers, latency windows), which a caller may pass in so that a composition rebuilt on a configuration change
/// keeps them.</para>
/// </remarks>
public sealed class FallbackComposition : IDisposable
{
    private FallbackComposition(IVectorStore store, FailoverVectorStore failover, DualWriteVectorStore? dualWrite, JournalReplayer? replayer, StoreHealthMonitor health)
    {
        Store = store;
        Failover = failover;
        DualWrite = dualWrite;
        Replayer = replayer;
        Health = health;
    }

    /// <summary>The outermost layer: what callers use.</summary>
    public IVectorStore Store { get; }

    /// <summary>The read part.</summary>
    public FailoverVectorStore Failover { get; }

    /// <summary>The write part, with <see cref="WriteMode.Dual"/>.</summary>
    public DualWriteVectorStore? DualWrite { get; }

    /// <summary>The replay part, with <see cref="WriteMode.Dual"/>; the host runs <see cref="JournalReplayer.RunAsync"/>.</summary>
    public JournalReplayer? Replayer { get; }

    /// <summary>Per-store breaker and latency state.</summary>
    public StoreHealthMonitor Health { get; }

    /// <summary>Composes <paramref name="primary"/> and <paramref name="secondary"/>.</summary>
    /// <param name="primary">The store that serves while healthy.</param>
    /// <param name="secondary">The fallback.</param>
    /// <param name="options">Write mode, hedging, breaker, replay settings.</param>
    /// <param name="secondaryJournal">Required with <see cref="WriteMode.Dual"/>: writes waiting for the fallback.</param>
    /// <param name="primaryJournal">With Dual, writes waiting for the primary while it is down; <c>null</c> refuses
    /// writes during a primary outage.</param>
    /// <param name="health">Shared breaker state; new when <c>null</c>.</param>
    /// <param name="loggers">Loggers for the parts; none when <c>null</c>.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <exception cref="ArgumentException">Invalid options, the same store twice, or Dual without a journal.</exception>
    public static FallbackComposition Create(
        IVectorStore primary,
        IVectorStore secondary,
        FallbackVectorStoreOptions? options = null,
        IWriteJournal? secondaryJournal = null,
        IWriteJournal? primaryJournal = null,
        StoreHealthMonitor? health = null,
        ILoggerFactory? loggers = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(secondary);
        options ??= new FallbackVectorStoreOptions();
        if (options.WriteMode == WriteMode.Dual && secondaryJournal is null)
        {
            throw new ArgumentException("WriteMode Dual needs a write journal for the secondary.", nameof(secondaryJournal));
        }

        var time = timeProvider ?? TimeProvider.System;
        health ??= new StoreHealthMonitor(options, loggers?.CreateLogger<StoreHealthMonitor>(), time);
        var spaces = new StorePairSpaces(primary, secondary);
        JournalReplayer? replayer = null;
        if (options.WriteMode == WriteMode.Dual)
        {
            List<JournalTarget> targets = [new(secondary, secondaryJournal!)];
            if (primaryJournal is not null)
            {
                targets.Add(new JournalTarget(primary, primaryJournal));
            }

            replayer = new JournalReplayer(targets, spaces, options, loggers?.CreateLogger<JournalReplayer>(), time);
        }

        FailoverVectorStore? failover = null;
        DualWriteVectorStore? dualWrite = null;
        var builder = new VectorStoreBuilder(primary);
        if (replayer is not null)
        {
            builder.Use(inner => dualWrite = new DualWriteVectorStore(
                inner, secondary, secondaryJournal!, primaryJournal, replayer, health, options, loggers?.CreateLogger<DualWriteVectorStore>()));
        }

        builder.Use(inner => failover = new FailoverVectorStore(
            inner, secondary, options, spaces, health, replayer, loggers?.CreateLogger<FailoverVectorStore>(), time));
        var store = builder.Build();
        return new FallbackComposition(store, failover!, dualWrite, replayer, health);
    }

    /// <summary>Releases the parts' locks; stores and journals belong to the caller.</summary>
    public void Dispose()
    {
        DualWrite?.Dispose();
        Replayer?.Dispose();
    }
}
