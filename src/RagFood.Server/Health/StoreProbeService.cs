using RagFood.Core.VectorStores;
using RagFood.Server.Composition;

namespace RagFood.Server.Health;

/// <summary>The last Info probe of each store, so that health never calls a store itself.</summary>
internal sealed class StoreProbeCache
{
    private readonly Dictionary<string, StoreProbe> _probes = new(StringComparer.Ordinal);

    public StoreProbe? Get(string store)
    {
        lock (_probes)
        {
            return _probes.GetValueOrDefault(store);
        }
    }

    public void Set(StoreProbe probe)
    {
        lock (_probes)
        {
            _probes[probe.Store] = probe;
        }
    }
}

/// <summary>One probe's outcome.</summary>
/// <param name="Store">The store.</param>
/// <param name="Ok">It answered Info within the probe budget.</param>
/// <param name="Detail">Its record count, or why it failed.</param>
/// <param name="At">When.</param>
internal sealed record StoreProbe(string Store, bool Ok, string Detail, DateTimeOffset At);

/// <summary>Probes every store of the current composition in the background (Info, bounded), every few seconds.</summary>
internal sealed class StoreProbeService(IStoreComposition composition, IServiceProvider services, StoreProbeCache cache, TimeProvider time, ILogger<StoreProbeService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var topology = composition.Current.Topology;
            var names = topology.FallbackName.Length == 0 ? [topology.PrimaryName] : new[] { topology.PrimaryName, topology.FallbackName };
            await Task.WhenAll(names.Select(name => ProbeAsync(name, stoppingToken))).ConfigureAwait(false);
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ProbeAsync(string name, CancellationToken stoppingToken)
    {
        var store = services.GetRequiredKeyedService<IVectorStore>(name);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        budget.CancelAfter(Budget);
        try
        {
            var info = await store.GetInfoAsync(budget.Token).WaitAsync(budget.Token).ConfigureAwait(false);
            cache.Set(new StoreProbe(name, true, $"{info.VectorCount} records", time.GetUtcNow()));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is VectorStoreException or OperationCanceledException or HttpRequestException or TimeoutException or InvalidOperationException)
        {
            var reason = ex is OperationCanceledException ? $"no answer within {Budget.TotalSeconds:0} s" : ex.Message;
            cache.Set(new StoreProbe(name, false, reason, time.GetUtcNow()));
            CompositionLog.ProbeFailed(logger, name, reason);
        }
    }
}
