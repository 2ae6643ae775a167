using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagFood.Core.VectorStores;
using RagFood.Server.Ingestion;
using RagFood.Server.Logging;

namespace RagFood.Server.Health;

/// <summary>Ready when the start-up ingestion has finished and the store answers <c>Info</c>.</summary>
/// <remarks>Backs <c>grpc.health.v1</c>: NOT_SERVING while the corpus is being ingested or the store is unreachable.
/// A failed ingestion (e.g. a malformed corpus file) is Degraded, which still reports SERVING: the store works.</remarks>
internal sealed class StoreReadinessHealthCheck(IVectorStore store, IngestionStatus ingestion, ILogger<StoreReadinessHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!ingestion.IsFinished)
        {
            return HealthCheckResult.Unhealthy($"starting: {ingestion.Detail}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var info = await store.GetInfoAsync(timeout.Token).ConfigureAwait(false);
            return ingestion.State == IngestionState.Failed
                ? HealthCheckResult.Degraded($"store '{info.Store}' ready; {ingestion.Detail}")
                : HealthCheckResult.Healthy($"store '{info.Store}' ready with {info.VectorCount} records");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.HealthStoreUnavailable(logger, "the store did not answer within 5 s");
            return HealthCheckResult.Unhealthy("the store did not answer within 5 s");
        }
        catch (VectorStoreException ex)
        {
            Log.HealthStoreUnavailable(logger, ex.Message);
            return HealthCheckResult.Unhealthy($"store '{ex.StoreName}' unavailable: {ex.Message}");
        }
    }
}
