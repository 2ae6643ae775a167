namespace RagFood.Server.Logging;

/// <summary>Every log line the server writes, with stable event ids (1xxx ingestion, 2xxx RAG, 3xxx RPC edge, 4xxx health, 5xxx composition).</summary>
/// <remarks>Prompts, documents and vectors are logged only at Trace; secrets never.</remarks>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Ingesting the food corpus from {Path} into namespace '{Namespace}'")]
    public static partial void IngestionStarting(ILogger logger, string path, string @namespace);

    [LoggerMessage(1001, LogLevel.Information, "Corpus ingestion done: {Written} written, {Unchanged} unchanged, {Problems} problem(s) in {ElapsedMs:0} ms")]
    public static partial void IngestionCompleted(ILogger logger, int written, int unchanged, int problems, double elapsedMs);

    [LoggerMessage(1002, LogLevel.Warning, "Corpus item {Index} (id '{Id}') skipped: {Reason}")]
    public static partial void IngestionProblem(ILogger logger, int index, string? id, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "No food corpus found (looked for {Paths}); the store starts with what it already holds")]
    public static partial void IngestionCorpusMissing(ILogger logger, string paths);

    [LoggerMessage(1004, LogLevel.Warning, "Corpus ingestion failed; retrying in {DelaySeconds:0.#} s")]
    public static partial void IngestionFailedWillRetry(ILogger logger, double delaySeconds, Exception exception);

    [LoggerMessage(1005, LogLevel.Information, "Corpus ingestion on start is disabled (Ingestion:OnStart = false)")]
    public static partial void IngestionDisabled(ILogger logger);

    [LoggerMessage(1006, LogLevel.Debug, "Ingest batch of {Count}: {Written} written, {Unchanged} unchanged")]
    public static partial void IngestionBatch(ILogger logger, int count, int written, int unchanged);

    [LoggerMessage(1007, LogLevel.Error, "Corpus ingestion failed and will not be retried: {Message}")]
    public static partial void IngestionFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(2000, LogLevel.Debug, "Retrieved {Count} record(s) from {Store} in {ElapsedMs:0.0} ms")]
    public static partial void RagRetrieved(ILogger logger, int count, string store, double elapsedMs);

    [LoggerMessage(2001, LogLevel.Trace, "Prompt sent to {Model}: {Prompt}")]
    public static partial void RagPrompt(ILogger logger, string model, string prompt);

    [LoggerMessage(2002, LogLevel.Warning, "Answering extractively: {Reason}")]
    public static partial void RagExtractiveFallback(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(2003, LogLevel.Debug, "{Model} answered in {ElapsedMs:0} ms")]
    public static partial void RagGenerated(ILogger logger, string model, double elapsedMs);

    [LoggerMessage(2004, LogLevel.Information, "Ollama {Version} at {Url} has {ModelCount} local model(s)")]
    public static partial void OllamaProbed(ILogger logger, string url, string version, int modelCount);

    [LoggerMessage(2005, LogLevel.Warning, "Ollama at {Url} does not list model '{Model}'; run `ollama pull {Model}` there, or answers stay extractive")]
    public static partial void OllamaModelMissing(ILogger logger, string model, string url);

    [LoggerMessage(2006, LogLevel.Warning, "Ollama at {Url} is not reachable ({Reason}); answers are extractive until it is")]
    public static partial void OllamaUnreachable(ILogger logger, string url, string reason);

    [LoggerMessage(3000, LogLevel.Warning, "{Method} failed in store '{Store}' ({Kind}): {Message}; {Suppressed} similar failure(s) of this store not logged since the last line")]
    public static partial void RpcStoreFailure(ILogger logger, string method, string store, string kind, string message, long suppressed);

    [LoggerMessage(3001, LogLevel.Error, "{Method} failed with an unexpected error")]
    public static partial void RpcUnhandled(ILogger logger, string method, Exception exception);

    [LoggerMessage(3002, LogLevel.Debug, "{Method} rejected: {Message}")]
    public static partial void RpcInvalidArgument(ILogger logger, string method, string message);

    [LoggerMessage(3003, LogLevel.Warning, "{Method} from {Peer} refused: {Reason} ({Suppressed} similar refusal(s) from this peer not logged since the last line)")]
    public static partial void RpcUnauthenticated(ILogger logger, string method, string peer, string reason, long suppressed);

    [LoggerMessage(3004, LogLevel.Debug, "{Method} ended early: {Status}")]
    public static partial void RpcEndedEarly(ILogger logger, string method, string status);

    [LoggerMessage(4000, LogLevel.Warning, "Store readiness check failed: {Message}")]
    public static partial void HealthStoreUnavailable(ILogger logger, string message);

    [LoggerMessage(5000, LogLevel.Information, "Fallback ready: primary '{Primary}' and fallback '{Fallback}' share the embedding space {Space}")]
    public static partial void FallbackSpacesVerified(ILogger logger, string primary, string fallback, string space);

    [LoggerMessage(5001, LogLevel.Error, "Fallback disabled in effect: {Message}")]
    public static partial void FallbackSpacesDisagree(ILogger logger, string message);

    [LoggerMessage(5002, LogLevel.Warning, "Could not check the fallback's embedding space yet ({Message}); retrying in {DelaySeconds:0} s")]
    public static partial void FallbackSpacesUnknown(ILogger logger, string message, double delaySeconds);
}
