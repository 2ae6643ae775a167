using System.Globalization;
using Microsoft.Extensions.Options;
using RagFood.Core.Telemetry;
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

/// <summary>Health settings (section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section: <c>Health</c>.</summary>
    public const string SectionName = "Health";

    /// <summary>Time between background probes of each store. Default 60 s: a probe is a billed request on Upstash
    /// (1,440 a day at 60 s, against a free tier of 10,000 reads), so it is skipped for a store that answered real traffic
    /// since the last round.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one probe may take before the store counts as not answering. Default 3 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>Checks <see cref="HealthOptions"/>.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();
        if (options.ProbeInterval < TimeSpan.FromMilliseconds(100) || options.ProbeInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"Health:ProbeInterval {options.ProbeInterval} is outside 00:00:00.1 to 1.00:00:00; use e.g. 00:00:30.");
        }

        if (options.ProbeTimeout <= TimeSpan.Zero || options.ProbeTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Health:ProbeTimeout {options.ProbeTimeout} must be positive and at most 00:05:00; use e.g. 00:00:03.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Probes every store of the current composition in the background (Info, bounded), every
/// <see cref="HealthOptions.ProbeInterval"/>; a store that answered real traffic since the previous round is not called.</summary>
/// <remarks>Health checks only read the cache this fills, so however often an orchestrator asks, a store is called at
/// most once per interval. Probe calls run in a <see cref="HealthProbeScope"/>: usage counts them as
/// <c>health_probe</c>, and they do not count as real traffic.</remarks>
internal sealed class StoreProbeService(
    IStoreComposition composition,
    IServiceProvider services,
    StoreProbeCache cache,
    StoreActivity activity,
    IOptions<HealthOptions> options,
    TimeProvider time,
    ILogger<StoreProbeService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ProbeInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var topology = composition.Current.Topology;
            var names = topology.FallbackName.Length == 0 ? [topology.PrimaryName] : new[] { topology.PrimaryName, topology.FallbackName };
            await Task.WhenAll(names.Select(name => ProbeAsync(name, stoppingToken))).ConfigureAwait(false);
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ProbeAsync(string name, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        if (cache.Get(name) is { } last && activity.AnsweredSince(name, last.At, out var answeredAt))
        {
            cache.Set(new StoreProbe(name, true, string.Create(CultureInfo.InvariantCulture, $"answered real traffic {(now - answeredAt).TotalSeconds:0} s ago (not probed)"), now));
            return;
        }

        var store = services.GetRequiredKeyedService<IVectorStore>(name);
        var timeout = options.Value.ProbeTimeout;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        budget.CancelAfter(timeout);
        using var probe = HealthProbeScope.Enter();
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
            var reason = ex is OperationCanceledException ? string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s") : ex.Message;
            cache.Set(new StoreProbe(name, false, reason, time.GetUtcNow()));
            CompositionLog.ProbeFailed(logger, name, reason);
        }
    }
}
