namespace RagFood.Server.Composition;

/// <summary>Runs the current composition's journal replayer for as long as the server runs, restarting it on the new
/// composition after a configuration reload (the journals are the same files, so nothing pending is dropped).</summary>
internal sealed class JournalReplayService(IStoreComposition composition) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var replaced = composition.Replaced;
            using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, replaced);
            try
            {
                if (composition.Current.Fallback?.Replayer is { } replayer)
                {
                    await replayer.RunAsync(null, run.Token).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, run.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                // Stopping (the journal keeps what is left for the next start), or a new composition to replay for.
            }
        }
    }
}
