using RagFood.Core.VectorStores;
using RagFood.Server.Logging;

namespace RagFood.Server.Composition;

/// <summary>At start, asks the primary and the fallback store for their embedding spaces, so that a primary that fails
/// later can still be checked against the fallback and reads can hedge from the first one.</summary>
/// <remarks>Registered when a fallback can be configured. The first check runs before the server accepts calls
/// (bounded by <see cref="StartupBudget"/>); a store that cannot answer yet is asked again in the background.
/// Disagreeing spaces are logged as an error once: reads then never fall back, they fail with the mismatch.</remarks>
internal sealed class EmbeddingSpaceCheckService(IStoreComposition composition, ILogger<EmbeddingSpaceCheckService> logger)
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

    /// <returns>True when the question is settled (spaces agree, they disagree and that was logged, or no fallback).</returns>
    private async Task<bool> TryCheckAsync(CancellationToken cancellationToken)
    {
        var current = composition.Current;
        if (current.Fallback is not { } fallback)
        {
            return true;
        }

        try
        {
            await fallback.Failover.VerifyEmbeddingSpacesAsync(cancellationToken).ConfigureAwait(false);
            Log.FallbackSpacesVerified(logger, current.Topology.PrimaryName, current.Topology.FallbackName, fallback.Failover.Spaces.PrimarySpace!.ToString());
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
