using RagFood.Core.Durable;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>Runs the current composition's journal replayer for as long as the server runs, restarting it on the new
/// composition after a configuration reload (the journals are the same files, so nothing pending is dropped).</summary>
internal sealed class JournalReplayService(IStoreComposition composition, IServiceProvider services, ILogger<JournalReplayService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A journal written before the side-file module held the fallback's entries only: they are the fallback's now.
        if (composition.Current is { Fallback.Replayer: not null, Topology.FallbackName: { Length: > 0 } fallback }
            && services.GetService<IWriteJournalFactory>() is SqliteWriteJournalFactory journals)
        {
            try
            {
                await journals.AdoptUntargetedAsync(fallback, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException)
            {
                // The replayer below reports a journal it cannot open; this only must not stop the host.
                CompositionLog.JournalProblem(logger, $"Journal entries from an older RagFood not adopted: {ex.Message}");
            }
        }

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
