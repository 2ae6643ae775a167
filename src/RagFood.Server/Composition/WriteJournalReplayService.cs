using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>Replays the Dual-write journal into the fallback store for as long as the server runs.</summary>
/// <remarks>Registered only with <c>VectorStore:WriteMode = Dual</c>. The decorator's loop logs and retries failed passes
/// itself; this service only owns its lifetime.</remarks>
internal sealed class WriteJournalReplayService(FallbackVectorStore store) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await store.RunReplayLoopAsync(Interval, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the journal keeps what is left for the next start.
        }
    }
}
