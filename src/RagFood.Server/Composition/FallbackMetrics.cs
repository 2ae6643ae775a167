using System.Diagnostics.Metrics;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>Journal and store state as System.Diagnostics.Metrics instruments of the <c>RagFood</c> meter (exporters
/// are the operability layer's business).</summary>
/// <remarks>Observable instruments, read on collection from the same state health reads; nothing here calls a store.
/// <list type="bullet">
/// <item><c>ragfood.journal.pending</c> (entries, tag <c>target</c>): writes a store has yet to apply.</item>
/// <item><c>ragfood.journal.parked</c> (entries, tag <c>target</c>): writes a store refused, kept for an operator.</item>
/// <item><c>ragfood.journal.oldest_pending_age</c> (s, tag <c>target</c>): age of the oldest pending entry.</item>
/// <item><c>ragfood.store.breaker_open</c> (0/1, tag <c>store</c>): reads skip the store.</item>
/// <item><c>ragfood.store.hedge_delay</c> (ms, tag <c>store</c>): how long a read waits before hedging.</item>
/// <item><c>ragfood.store.fallbacks</c> (counter, tag <c>store</c>): reads of the store served by the other store.</item>
/// <item><c>ragfood.store.hedges</c> (counter, tag <c>store</c>): reads of the store for which the other one was asked too.</item>
/// </list></remarks>
internal sealed class FallbackMetrics : IHostedService
{
    public const string MeterName = "RagFood";

    public FallbackMetrics(IMeterFactory meters, IStoreComposition composition, IStoreHealthMonitor health, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        IEnumerable<JournalTargetStatus> Journals() => composition.Current.Fallback?.Replayer?.Current ?? [];
        meter.CreateObservableGauge("ragfood.journal.pending", () => Journals().Select(j => Tagged(j.Pending, "target", j.Target)), "{entry}", "Journaled writes the target store has yet to apply");
        meter.CreateObservableGauge("ragfood.journal.parked", () => Journals().Select(j => Tagged(j.Parked, "target", j.Target)), "{entry}", "Journaled writes the target store refused as invalid");
        meter.CreateObservableGauge("ragfood.journal.oldest_pending_age", () => Journals().Select(j => Tagged(
            j.OldestPendingAt is { } at ? Math.Max(0, (time.GetUtcNow() - at).TotalSeconds) : 0, "target", j.Target)), "s", "Age of the oldest pending journal entry");
        meter.CreateObservableGauge("ragfood.store.breaker_open", () => health.Snapshot().Select(s => Tagged(s.Breaker == BreakerState.Open ? 1 : 0, "store", s.Store)), "1", "1 while reads skip the store");
        meter.CreateObservableCounter("ragfood.store.fallbacks", () => health.Snapshot().Select(s => Tagged(s.FallbacksTotal, "store", s.Store)), "{read}", "Reads of the store served by the other store");
        meter.CreateObservableCounter("ragfood.store.hedges", () => health.Snapshot().Select(s => Tagged(s.HedgesTotal, "store", s.Store)), "{read}", "Reads of the store for which the other store was asked too, because it was slow");
        meter.CreateObservableGauge("ragfood.store.hedge_delay", () => health.Snapshot().Select(s => Tagged(s.HedgeDelay.TotalMilliseconds, "store", s.Store)), "ms", "How long a read waits for the store before asking the other one too");
    }

    private static Measurement<T> Tagged<T>(T value, string key, string tag) where T : struct
        => new(value, new KeyValuePair<string, object?>(key, tag));

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Registration of <see cref="FallbackMetrics"/>.</summary>
internal static class FallbackMetricsRegistration
{
    public static IServiceCollection AddRagFoodFallbackMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<FallbackMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<FallbackMetrics>());
        return services;
    }
}
