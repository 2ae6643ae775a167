using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Core.Durable;
using RagFood.Core.Telemetry;
using RagFood.Transfer;
using RagFood.Transfer.Verification;

namespace RagFood.Server.Transfer;

/// <summary>Registers migration, verification, export/restore and store comparison (<c>Migration:*</c>, <c>Backup:*</c>).</summary>
public static class TransferServiceCollectionExtensions
{
    /// <summary>The transfer engine, its checkpoint file, the verifier and repairer, and the scheduled export.</summary>
    public static IServiceCollection AddRagFoodTransfer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MigrationOptions>().Bind(configuration.GetSection(MigrationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MigrationOptions>, MigrationOptionsValidator>());
        services.AddOptions<BackupOptions>().Bind(configuration.GetSection(BackupOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupOptions>, BackupOptionsValidator>());
        services.TryAddSingleton<TransferPathPolicy>();
        services.TryAddSingleton<TransferEndpoints>();
        services.TryAddSingleton<IMigrationCheckpointStore>(sp =>
        {
            var directory = sp.GetRequiredService<TransferPathPolicy>().ResolveConfigured(sp.GetRequiredService<IOptions<MigrationOptions>>().Value.Directory);
            return new SqliteMigrationCheckpointStore(Path.Combine(directory, "checkpoints.db"));
        });
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MigrationOptions>>().Value;
            return new MigrationEngineOptions { MaxAttempts = o.MaxAttempts, RetryDelay = o.RetryDelay };
        });
        services.TryAddSingleton(sp => new MigrationEngine(
            sp.GetRequiredService<IMigrationCheckpointStore>(),
            sp.GetRequiredService<MigrationEngineOptions>(),
            sp.GetRequiredService<ILogger<MigrationEngine>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new StoreVerifier(sp.GetRequiredService<ILogger<StoreVerifier>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new StoreRepairer(sp.GetRequiredService<StoreVerifier>(), sp.GetRequiredService<ILogger<StoreRepairer>>()));
        services.TryAddSingleton<TransferQuota>();
        services.TryAddSingleton<TransferMetrics>();
        services.TryAddSingleton<RagFoodMetrics>();
        services.TryAddSingleton<TransferRunner>();
        services.AddHostedService<ScheduledExportService>();
        return services;
    }

    /// <summary>Maps <c>ragfood.v1.MigrationService</c> and <c>ragfood.v1.StoresService</c>.</summary>
    public static WebApplication MapRagFoodTransfer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<MigrationGrpcService>();
        app.MapGrpcService<StoresGrpcService>();
        return app;
    }
}
