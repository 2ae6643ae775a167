namespace RagFood.Server.Composition;

/// <summary>Log lines of the store composition, its reloads and its workers (EventIds 5100–5199).</summary>
internal static partial class CompositionLog
{
    [LoggerMessage(5100, LogLevel.Warning, "Vector store composition swapped: {Old} is now {New}; requests already running finish on the old one")]
    public static partial void Swapped(ILogger logger, string old, string @new);

    [LoggerMessage(5101, LogLevel.Error, "Changed VectorStore configuration refused, the current composition keeps serving: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string reason);

    [LoggerMessage(5102, LogLevel.Warning, "Embedding spaces of the new composition not checked yet ({Reason}); reads will not hedge until they are")]
    public static partial void SpacesUnchecked(ILogger logger, string reason);

    [LoggerMessage(5104, LogLevel.Error, "{Reason}")]
    public static partial void JournalProblem(ILogger logger, string reason);

    [LoggerMessage(5105, LogLevel.Warning, "A write was refused: {Running} write(s) begun before the last composition swap are still running after {Seconds} s (VectorStore:SwapDrainTimeout)")]
    public static partial void DrainTimedOut(ILogger logger, int running, double seconds);

    [LoggerMessage(5103, LogLevel.Debug, "Store probe of {Store} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string store, string reason);
}

/// <summary>Start-up ingestion lines of the cutover work (EventIds 1100–1119).</summary>
internal static partial class IngestionLog
{
    [LoggerMessage(1100, LogLevel.Warning, "The shipped corpus {Path} was not written on start: {Reason}")]
    public static partial void CorpusSkipped(ILogger logger, string path, string reason);
}
