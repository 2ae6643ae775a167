using RagFood.Core.VectorStores;
using RagFood.Server.Logging;

namespace RagFood.Server.Composition;

/// <summary>At start, asks the primary and the fallback store for their embedding spaces, so that a primary that fails
/// later can still be checked against the fallback (the decorator refuses a fallback whose spaces it has never seen).</summary>
/// <remarks>Registered only when <c>VectorStore:Fallback</c> is set. The first check runs before the server accepts
/// calls (bounded by <see cref="StartupBudget"/>, so a store that is down delays start-up only that long); a store that
/// cannot answer yet is asked again in the background. Disagreeing spaces are logged as an error once: reads then never
/// fall back, they fail with the mismatch.</remarks>
internal sealed class EmbeddingSpaceCheckService(FallbackVectorStore store, VectorStoreTopology topology, ILogger<EmbeddingSpaceCheckService> logger)
    : BackgroundService
{
    private static readonly TimeSpan StartupBudget = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);
    private bool _settled;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(StartupBudget);
        try
        {
            _settled = await TryCheckAsync(budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.FallbackSpacesUnknown(logger, $"no answer within {StartupBudget.TotalSeconds:0} s", RetryDelay.TotalSeconds);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!_settled && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
                _settled = await TryCheckAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <returns>True when the question is settled (spaces agree, or they disagree and that was logged).</returns>
    private async Task<bool> TryCheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.VerifyEmbeddingSpacesAsync(cancellationToken).ConfigureAwait(false);
            var info = await store.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            Log.FallbackSpacesVerified(logger, topology.PrimaryName, topology.FallbackName, info.Space.ToString());
            return true;
        }
        catch (EmbeddingSpaceMismatchException ex)
        {
            Log.FallbackSpacesDisagree(logger, ex.Message);
            return true;
        }
        catch (VectorStoreException ex)
        {
            Log.FallbackSpacesUnknown(logger, ex.Message, RetryDelay.TotalSeconds);
            return false;
        }
    }
}
