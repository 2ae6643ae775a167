using Microsoft.Extensions.Logging;

namespace RagFood.Transfer;

/// <summary>Transfer log messages; EventIds 6100–6149.</summary>
internal static partial class TransferLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Migration {Job} started: {Source} → {Target}, mode {Mode}, {Total} records, batch {BatchSize}{Resumed}")]
    public static partial void Started(ILogger logger, string job, string source, string target, string mode, long total, int batchSize, string resumed);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Migration {Job} finished: read {Read}, written {Written}, skipped {Skipped}, refused {Refused} in {Seconds:0.0} s")]
    public static partial void Finished(ILogger logger, string job, long read, long written, long skipped, long refused, double seconds);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Migration {Job} paused: {Reason}; resume it with --resume")]
    public static partial void Paused(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Migration {Job}: {Target} failed transiently ({Kind}), attempt {Attempt}; retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string job, string target, string kind, int attempt, long delayMs);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Migration {Job}: refused record {Id} in namespace '{Namespace}': {Reason}")]
    public static partial void Refused(ILogger logger, string job, string @namespace, string id, string reason);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Information, Message = "Verified {Expected} against {Actual}: {Differences} differences")]
    public static partial void Verified(ILogger logger, string expected, string actual, long differences);

    [LoggerMessage(EventId = 6120, Level = LogLevel.Information, Message = "Repaired {Target} from {Source}: copied {Copied}, deleted {Deleted}")]
    public static partial void Repaired(ILogger logger, string source, string target, long copied, long deleted);
}
