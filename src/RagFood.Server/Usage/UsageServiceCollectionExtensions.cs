using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.Durable;
using RagFood.Core.Telemetry;
using RagFood.Core.Usage;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;

namespace RagFood.Server.Usage;

/// <summary>Registers usage and cost accounting (<c>Usage:*</c>).</summary>
public static class UsageServiceCollectionExtensions
{
    /// <summary>Counts every call into the registered stores and to Ollama in a <see cref="IUsageLedger"/> persisted in
    /// <c>Usage:Path</c>, checks the daily quotas of <c>Usage:Plans</c> (health entry <c>usage</c>, Degraded from 80 %), and
    /// exposes <c>ragfood.usage.quota.used</c>.</summary>
    /// <remarks>Call after the stores and the AI clients are registered: it decorates their registrations. With
    /// <c>Usage:Enabled = false</c> nothing is counted and the ledger reports nothing.</remarks>
    public static IServiceCollection AddRagFoodUsage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(UsageOptions.SectionName);
        services.AddOptions<UsageOptions>().Bind(section).ValidateOnStart()
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (!string.IsNullOrWhiteSpace(options.Path) && !System.IO.Path.IsPathRooted(options.Path))
                {
                    options.Path = System.IO.Path.GetFullPath(options.Path, environment.ContentRootPath);
                }
            });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>());
        services.TryAddSingleton<RagFoodMetrics>();
        var enabled = (section.Get<UsageOptions>() ?? new UsageOptions()).Enabled;
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UsageOptions>>().Value;
            return new UsageLedger(
                options,
                options.Enabled ? new SqliteUsageCounters(options.Path) : null,
                sp.GetRequiredService<RagFoodMetrics>(),
                sp.GetRequiredService<ILogger<UsageLedger>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IUsageLedger>(sp => sp.GetRequiredService<UsageLedger>());
        services.AddHealthChecks().AddCheck<UsageQuotaHealthCheck>("usage");
        if (!enabled)
        {
            return services;
        }

        services.AddHostedService<UsageFlushService>();
        foreach (var key in services.KeysOf<IVectorStore>())
        {
            services.Decorate<IVectorStore>(key, (store, sp) => new UsageCountingVectorStore(store, sp.GetRequiredService<IUsageLedger>()));
        }

        if (configuration.GetSection(EmbeddingOptions.SectionName).Get<EmbeddingOptions>()?.Provider == EmbeddingProvider.Ollama)
        {
            services.Decorate<IEmbeddingGenerator<string, Embedding<float>>>((generator, sp) => new UsageCountingEmbeddingGenerator(generator, sp.GetRequiredService<IUsageLedger>()));
        }

        services.Decorate<IChatClient>((client, sp) => new UsageCountingChatClient(client, sp.GetRequiredService<IUsageLedger>()));
        return services;
    }
}

/// <summary>Checks <see cref="UsageOptions"/>.</summary>
internal sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled && string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("Usage:Path is empty; use e.g. data/ragfood-usage.db, or set Usage:Enabled = false.");
        }

        if (options.FlushInterval < TimeSpan.FromMilliseconds(100) || options.FlushInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Usage:FlushInterval {options.FlushInterval} is outside 00:00:00.1 to 01:00:00; use e.g. 00:00:05.");
        }

        foreach (var (store, plan) in options.Plans)
        {
            if (plan.DailyReadLimit < 0 || plan.DailyWriteLimit < 0)
            {
                failures.Add($"Usage:Plans:{store} has a negative daily limit; use 0 for no quota.");
            }

            if (plan.ReadPricePerMillion < 0 || plan.WritePricePerMillion < 0)
            {
                failures.Add($"Usage:Plans:{store} has a negative price.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Loads the persisted counts at start, flushes every <see cref="UsageOptions.FlushInterval"/>, and once more on stop.</summary>
/// <remarks>Also publishes <c>ragfood.usage.quota.used</c>: today's calls over each daily quota, by store and quota.</remarks>
internal sealed class UsageFlushService(UsageLedger ledger, RagFoodMetrics metrics, IOptions<UsageOptions> options, ILogger<UsageFlushService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ledger.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Counting goes on in memory; the next flush tries the file again.
            UsageLog.LoadFailed(logger, options.Value.Path, ex.Message);
        }

        metrics.Meter.CreateObservableGauge("ragfood.usage.quota.used", ObserveQuotas, "1", "Today's calls over the daily quota (1 = quota reached), by store and quota.");
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ledger.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The deltas stay in memory for the next flush.
            UsageLog.FlushFailed(logger, options.Value.Path, ex.Message);
        }
    }

    private IEnumerable<Measurement<double>> ObserveQuotas()
    {
        foreach (var store in ledger.GetReport().Stores)
        {
            if (store.DailyReadLimit > 0)
            {
                yield return new Measurement<double>(store.ReadQuotaUsed, new("ragfood.store", store.Store), new("ragfood.quota", "reads"));
            }

            if (store.DailyWriteLimit > 0)
            {
                yield return new Measurement<double>(store.WriteQuotaUsed, new("ragfood.store", store.Store), new("ragfood.quota", "writes"));
            }
        }
    }
}

/// <summary>Log lines of usage accounting (EventIds 7000–7099).</summary>
internal static partial class UsageLog
{
    [LoggerMessage(7000, LogLevel.Warning, "Could not read the usage counters from {Path}: {Message}; counting continues in memory")]
    public static partial void LoadFailed(ILogger logger, string path, string message);

    [LoggerMessage(7001, LogLevel.Warning, "Could not write the usage counters to {Path}: {Message}; they are kept for the next flush")]
    public static partial void FlushFailed(ILogger logger, string path, string message);
}
