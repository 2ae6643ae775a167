using System.Globalization;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFood.Core.Telemetry;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Ingestion;

namespace RagFood.Server.Health;

/// <summary>Health read from state the store parts keep (breakers, the cached probe, journals): it never calls a store,
/// so a hanging store cannot make health hang.</summary>
/// <remarks>
/// <para>The overall check (<c>grpc.health.v1</c> service "") is SERVING while any store of the current composition can
/// serve reads: Healthy when the primary can, Degraded (still SERVING) while only the fallback can, Unhealthy
/// (NOT_SERVING) when none can or while the start-up ingestion runs.</para>
/// <para>Each registered store has its own entry, service name <c>ragfood.store.&lt;name&gt;</c>: NOT_SERVING while its
/// breaker is open, or its last probe failed and no real call has succeeded since. Descriptions carry the journal
/// backlog per target store.</para>
/// </remarks>
internal sealed class StoreHealthEvaluator(IStoreComposition composition, IStoreHealthMonitor health, StoreProbeCache probes, StoreActivity activity, TimeProvider time)
{
    public (bool CanServe, string Detail) Store(string name)
    {
        var breaker = health.Snapshot().FirstOrDefault(s => s.Store == name);
        if (breaker is { Breaker: BreakerState.Open })
        {
            return (false, $"breaker open: {breaker.LastError}");
        }

        var probe = probes.Get(name);
        if (probe is { Ok: false })
        {
            // Real traffic that succeeded after the failed probe says more than waiting a whole interval for the next one.
            return activity.AnsweredSince(name, probe.At, out _)
                ? (true, $"answered real traffic after a failed probe ({probe.Detail})")
                : (false, $"probe failed: {probe.Detail}");
        }

        return (true, probe?.Detail ?? "not probed yet");
    }

    public string Journals()
    {
        var statuses = composition.Current.Fallback?.Replayer?.Current ?? [];
        var now = time.GetUtcNow();
        return string.Join("; ", statuses.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"journal for {s.Target}: {s.Pending} pending")
            + (s.OldestPendingAt is { } at ? string.Create(CultureInfo.InvariantCulture, $" (oldest {(now - at).TotalSeconds:0} s)") : "")
            + string.Create(CultureInfo.InvariantCulture, $", {s.Parked} parked")
            + (s.ParkedEntries.Count > 0 ? $" (first: {s.ParkedEntries[0].Reason})" : "")));
    }
}

/// <summary>The overall readiness check ("store").</summary>
internal sealed class OverallStoreHealthCheck(IStoreComposition composition, StoreHealthEvaluator evaluator, IngestionStatus ingestion) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!ingestion.IsFinished)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"starting: {ingestion.Detail}"));
        }

        var topology = composition.Current.Topology;
        var journals = evaluator.Journals();
        var suffix = journals.Length == 0 ? "" : "; " + journals;
        var primary = evaluator.Store(topology.PrimaryName);
        if (primary.CanServe)
        {
            return Task.FromResult(ingestion.State == IngestionState.Failed
                ? HealthCheckResult.Degraded($"store '{topology.PrimaryName}' ready; {ingestion.Detail}{suffix}")
                : HealthCheckResult.Healthy($"store '{topology.PrimaryName}' ready ({primary.Detail}){suffix}"));
        }

        if (topology.FallbackName.Length > 0 && evaluator.Store(topology.FallbackName) is { CanServe: true } fallback)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"store '{topology.PrimaryName}' unavailable ({primary.Detail}); fallback '{topology.FallbackName}' serves reads ({fallback.Detail}){suffix}"));
        }

        return Task.FromResult(HealthCheckResult.Unhealthy($"no store can serve reads: '{topology.PrimaryName}' {primary.Detail}{suffix}"));
    }
}

/// <summary>One store's entry (<c>ragfood.store.&lt;name&gt;</c>).</summary>
internal sealed class SingleStoreHealthCheck(string store, StoreHealthEvaluator evaluator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (canServe, detail) = evaluator.Store(store);
        return Task.FromResult(canServe ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Unhealthy(detail));
    }
}

/// <summary>Registers the overall and per-store checks and maps them to grpc.health.v1 service names.</summary>
internal static class StoreHealthRegistration
{
    /// <summary>The grpc.health.v1 service name of one store's entry.</summary>
    public static string ServiceName(string store) => "ragfood.store." + store;

    public static IServiceCollection AddRagFoodStoreHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddSingleton(sp => new StoreActivity(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StoreHealthEvaluator>();
        services.AddSingleton<Grpc.CutoverInfo>();
        var checks = services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", r => r.Name == "store");
        });
        checks.AddCheck<OverallStoreHealthCheck>("store");
        services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(sp => new ConfigureOptions<HealthCheckServiceOptions>(o =>
        {
            foreach (var provider in sp.GetRequiredService<RegisteredProviders>().Providers)
            {
                var name = VectorStoreTopology.ProviderName(provider);
                o.Registrations.Add(new HealthCheckRegistration("store:" + name, s => new SingleStoreHealthCheck(name, s.GetRequiredService<StoreHealthEvaluator>()), null, null));
            }
        }));
        services.AddSingleton<IConfigureOptions<GrpcHealthChecksOptions>>(sp => new ConfigureOptions<GrpcHealthChecksOptions>(o =>
        {
            foreach (var provider in sp.GetRequiredService<RegisteredProviders>().Providers)
            {
                var name = VectorStoreTopology.ProviderName(provider);
                o.Services.Map(ServiceName(name), r => r.Name == "store:" + name);
            }
        }));
        return services;
    }
}
