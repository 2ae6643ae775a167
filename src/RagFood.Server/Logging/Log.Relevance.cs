namespace RagFood.Server.Logging;

/// <summary>Relevance floor lines (2050–2059 within the RAG block).</summary>
internal static partial class Log
{
    [LoggerMessage(2050, LogLevel.Information, "Relevance floor for {Space}: {Floor:0.####} ({Source})")]
    public static partial void RelevanceFloorChosen(ILogger logger, string space, double floor, string source);

    [LoggerMessage(2051, LogLevel.Warning, "Relevance floors file {Path} could not be read ({Reason}); only Rag:MinScore applies")]
    public static partial void RelevanceFloorsUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(2052, LogLevel.Warning, "The store's embedding space is unknown ({Reason}); Rag:MinScore {Floor:0.####} applies to this answer")]
    public static partial void RelevanceSpaceUnknown(ILogger logger, string reason, double floor);
}
