using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Sqlite;

/// <summary>Log messages of the SQLite store; event ids 3100–3199 are this provider's (see docs/provider-kernel.md).</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "SQLite vector store opened {Path} (schema {SchemaVersion}, {Space}, {Namespaces} namespaces, {Records} records)")]
    public static partial void Opened(ILogger logger, string path, int schemaVersion, EmbeddingSpace space, int namespaces, long records);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "SQLite vector store created {Path} for {Space}")]
    public static partial void Created(ILogger logger, string path, EmbeddingSpace space);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Loaded namespace '{Namespace}' into memory: {Records} records in {ElapsedMs} ms")]
    public static partial void NamespaceLoaded(ILogger logger, string @namespace, int records, long elapsedMs);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "SQLite operation {Operation} failed with SQLite error {SqliteErrorCode}")]
    public static partial void OperationFailed(ILogger logger, string operation, int sqliteErrorCode, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Upserted {Count} records into '{Namespace}' ({Embedded} embedded)")]
    public static partial void Upserted(ILogger logger, int count, string @namespace, int embedded);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug, Message = "Deleted {Count} records from '{Namespace}'")]
    public static partial void Deleted(ILogger logger, long count, string @namespace);
}
