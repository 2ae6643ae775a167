using Microsoft.Extensions.Logging;

namespace RagFood.Providers.Chroma;

/// <summary>Source-generated log messages of the Chroma provider (event ids 4100–4199 are this provider's; see docs/provider-kernel.md).</summary>
internal static partial class ChromaLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Chroma collection {Collection} ready (id {CollectionId}, space {Space}, embedding model {Model})")]
    public static partial void CollectionReady(ILogger logger, string collection, string collectionId, ChromaSpace space, string model);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Recorded embedding model {Model} ({Dimension}-d) on Chroma collection {Collection}")]
    public static partial void EmbeddingSpaceRecorded(ILogger logger, string collection, string model, int? dimension);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Refused {Operation} on Chroma collection {Collection}: {Reason}")]
    public static partial void Refused(ILogger logger, string operation, string collection, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Chroma {Operation} failed ({Kind}): {Reason}")]
    public static partial void OperationFailed(ILogger logger, string operation, string kind, string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Debug, Message = "Chroma collection {Collection} vanished; looking it up again")]
    public static partial void CollectionVanished(ILogger logger, string collection);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Debug, Message = "Upserted {Count} records into Chroma collection {Collection}")]
    public static partial void Upserted(ILogger logger, int count, string collection);
}
