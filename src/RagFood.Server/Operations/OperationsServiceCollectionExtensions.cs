using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RagFood.Server.Operations;

/// <summary>Registers and maps <c>ragfood.v1.OperationsService</c> (Usage, CheckSetup).</summary>
public static class OperationsServiceCollectionExtensions
{
    /// <summary>Registers the set-up checker behind CheckSetup; the ledger comes from <c>AddRagFoodUsage</c>.</summary>
    public static IServiceCollection AddRagFoodOperations(this IServiceCollection services)
    {
        services.TryAddSingleton<SetupChecker>();
        return services;
    }

    /// <summary>Maps the OperationsService (behind the same interceptors, so the same API keys).</summary>
    public static WebApplication MapRagFoodOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<OperationsGrpcService>();
        return app;
    }
}
