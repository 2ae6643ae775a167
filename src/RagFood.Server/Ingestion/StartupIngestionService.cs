using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Logging;

namespace RagFood.Server.Ingestion;

/// <summary>Ingests the food corpus into the store after the server has started.</summary>
/// <remarks>
/// Runs in the background so Kestrel starts at once; queries are served meanwhile (possibly from a partial store), and
/// the health check reports NOT_SERVING until this finishes. Transient store failures are retried with a growing delay;
/// a corpus that cannot be read is logged and leaves the store as it was.
/// </remarks>
internal sealed class StartupIngestionService(
    CorpusIngestor ingestor,
    IngestionStatus status,
    IOptions<IngestionOptions> options,
    IHostEnvironment environment,
    CorpusTargetPolicy targets,
    ILogger<StartupIngestionService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        if (!settings.OnStart)
        {
            Log.IngestionDisabled(logger);
            status.Set(IngestionState.Skipped, "ingestion on start is disabled");
            return;
        }

        var candidates = CandidatePaths(settings);
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            Log.IngestionCorpusMissing(logger, string.Join(", ", candidates));
            status.Set(IngestionState.Skipped, "no corpus file found");
            return;
        }

        status.Set(IngestionState.Running, $"ingesting {path}");
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await IngestFileAsync(path, settings.Namespace, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (VectorStoreException ex) when (ex.IsTransient)
            {
                Log.IngestionFailedWillRetry(logger, delay.TotalSeconds, ex);
                status.Set(IngestionState.Running, $"waiting for the store: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The edge of a background service: a corpus that cannot be read or written is logged and reported by
                // the health check; it must not take the server down with it.
                Log.IngestionFailed(logger, ex.Message, ex);
                status.Set(IngestionState.Failed, $"corpus ingestion failed: {ex.Message}");
                return;
            }

            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private async Task IngestFileAsync(string path, string @namespace, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (await targets.RefusalAsync(@namespace, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            IngestionLog.CorpusSkipped(logger, path, refusal);
            status.Set(IngestionState.Skipped, $"corpus not written: {refusal}");
            return;
        }

        Log.IngestionStarting(logger, path, @namespace);
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"The corpus file {path} must hold a JSON array of food items.");
        }

        var outcome = await ingestor.IngestAsync(document.RootElement.EnumerateArray().ToList(), @namespace, cancellationToken).ConfigureAwait(false);
        Log.IngestionCompleted(logger, outcome.Written, outcome.Unchanged, outcome.Problems.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        status.Set(IngestionState.Completed, $"{outcome.Written} written, {outcome.Unchanged} unchanged, {outcome.Problems.Count} problem(s)", outcome);
    }

    private List<string> CandidatePaths(IngestionOptions settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.CorpusPath))
        {
            return [Path.GetFullPath(settings.CorpusPath, environment.ContentRootPath)];
        }

        var relative = Path.Combine("data", "foods.json");
        return [Path.Combine(environment.ContentRootPath, relative), Path.Combine(AppContext.BaseDirectory, relative)];
    }
}
