using System.Globalization;
using Microsoft.Extensions.Options;
using RagFood.Transfer;
using RagFood.Transfer.Export;
using RagFood.Transfer.Sources;

namespace RagFood.Server.Transfer;

/// <summary>Exports the primary store every <see cref="BackupOptions.Interval"/> into <see cref="BackupOptions.Directory"/>,
/// keeping the newest <see cref="BackupOptions.Keep"/> files (the plan's daily backup).</summary>
/// <remarks>Files are named <c>ragfood-backup-yyyyMMddTHHmmssZ.jsonl[.gz]</c> and appear only when complete (the
/// export writes a <c>.partial</c> file and renames it). A failed export is logged and tried again next interval;
/// older backups are pruned only after a success.</remarks>
internal sealed partial class ScheduledExportService(
    IOptions<BackupOptions> options,
    MigrationEngine engine,
    TransferEndpoints endpoints,
    TimeProvider time,
    ILogger<ScheduledExportService> logger) : BackgroundService
{
    public const string FilePrefix = "ragfood-backup-";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Interval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ExportOnceAsync(settings, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is Core.VectorStores.VectorStoreException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                BackupFailed(logger, ex.Message);
            }
        }
    }

    /// <summary>One export and the pruning after it; returns the file written.</summary>
    internal async Task<string> ExportOnceAsync(BackupOptions settings, CancellationToken cancellationToken)
    {
        var directory = endpoints.ResolveConfigured(settings.Directory);
        Directory.CreateDirectory(directory);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, FilePrefix + stamp + (settings.Gzip ? ".jsonl.gz" : ".jsonl"));
        var plan = new MigrationPlan(new StoreRecordSource(endpoints.Store("primary", "Backup")), new ExportFileSink(path, settings.Gzip, time))
        {
            Mode = TransferMode.Auto,
            BatchSize = 500,
            SkipUnchanged = false,
            Job = "backup|" + stamp,
        };
        long records = 0;
        await foreach (var e in engine.RunAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            records = e.Read;
        }

        var old = Directory.GetFiles(directory, FilePrefix + "*")
            .Where(f => f.EndsWith(".jsonl", StringComparison.Ordinal) || f.EndsWith(".jsonl.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var file in old.Take(Math.Max(0, old.Count - settings.Keep)))
        {
            File.Delete(file);
        }

        BackupWritten(logger, path, records);
        return path;
    }

    [LoggerMessage(EventId = 6150, Level = LogLevel.Information, Message = "Backup written: {Path} ({Records} records)")]
    private static partial void BackupWritten(ILogger logger, string path, long records);

    [LoggerMessage(EventId = 6151, Level = LogLevel.Warning, Message = "Scheduled backup failed, trying again next interval: {Reason}")]
    private static partial void BackupFailed(ILogger logger, string reason);
}
