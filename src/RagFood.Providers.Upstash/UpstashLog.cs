using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Upstash;

/// <summary>Log messages of the Upstash provider; event ids 3200–3299 are this provider's (see docs/provider-kernel.md).</summary>
internal static partial class UpstashLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Upstash {Operation} answered {Status}: {Kind}")]
    public static partial void RequestFailed(ILogger logger, string operation, int status, VectorStoreErrorKind kind);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Upstash {Operation} failed before an answer: {Kind}")]
    public static partial void TransportFailed(ILogger logger, string operation, VectorStoreErrorKind kind, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Upstash upsert batch of {BatchCount} written ({Written} of {Total})")]
    public static partial void BatchWritten(ILogger logger, int batchCount, int written, int total);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "Upstash upsert failed part way: {Written} of {Total} records written ({Kind})")]
    public static partial void UpsertFailedPartWay(ILogger logger, int written, int total, VectorStoreErrorKind kind);
}
