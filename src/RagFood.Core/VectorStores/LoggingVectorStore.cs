using Microsoft.Extensions.Logging;

namespace RagFood.Core.VectorStores;

/// <summary>Logs each call to the inner store with its duration, outcome and size.</summary>
/// <remarks>
/// <para>Operations and timings are logged at Debug, failures at Debug too (the caller, or the gRPC edge, decides
/// whether a failure is an error worth a warning; logging it here as well would report it twice). Query texts and
/// record ids are documents and only appear at Trace. Vectors and metadata are never logged.</para>
/// <para>When Debug is off the calls pass straight through, untimed.</para>
/// </remarks>
public sealed partial class LoggingVectorStore : DelegatingVectorStore
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    public LoggingVectorStore(IVectorStore innerStore, ILogger<LoggingVectorStore> logger, TimeProvider? timeProvider = null)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public override Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            var ids = string.Join(", ", request.Records.Select(r => r.Id));
            LogIds(_logger, Name, "Upsert", ids);
        }

        return TimeAsync("Upsert", request.Namespace, ct => InnerStore.UpsertAsync(request, ct), r => r.Upserted, cancellationToken);
    }

    public override Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Text is not null && _logger.IsEnabled(LogLevel.Trace))
        {
            LogQueryText(_logger, Name, query.Text, query.TopK, query.Filter?.Text);
        }

        return TimeAsync("Query", query.Namespace, ct => InnerStore.QueryAsync(query, ct), r => r.Count, cancellationToken);
    }

    public override Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TimeAsync("Fetch", request.Namespace, ct => InnerStore.FetchAsync(request, ct), r => r.Count(x => x is not null), cancellationToken);
    }

    public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TimeAsync("Delete", request.Namespace, ct => InnerStore.DeleteAsync(request, ct), r => r, cancellationToken);
    }

    public override Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TimeAsync("Range", request.Namespace, ct => InnerStore.RangeAsync(request, ct), r => r.Records.Count, cancellationToken);
    }

    public override Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => TimeAsync("Info", "", InnerStore.GetInfoAsync, r => r.VectorCount, cancellationToken);

    public override Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
        => TimeAsync(
            all ? "ResetAll" : "Reset",
            @namespace,
            async ct =>
            {
                await InnerStore.ResetAsync(@namespace, all, ct).ConfigureAwait(false);
                return 0;
            },
            _ => 0,
            cancellationToken);

    public override Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => TimeAsync("ListNamespaces", "", InnerStore.ListNamespacesAsync, r => r.Count, cancellationToken);

    public override Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
        => TimeAsync("DeleteNamespace", @namespace, ct => InnerStore.DeleteNamespaceAsync(@namespace, ct), r => r ? 1 : 0, cancellationToken);

    private async Task<T> TimeAsync<T>(
        string operation,
        string @namespace,
        Func<CancellationToken, Task<T>> call,
        Func<T, long> count,
        CancellationToken cancellationToken)
    {
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }

        var started = _timeProvider.GetTimestamp();
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var items = count(result);
            LogCompleted(_logger, Name, operation, @namespace, elapsedMs, items);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            LogCancelled(_logger, Name, operation, @namespace, elapsedMs);
            throw;
        }
        catch (Exception ex)
        {
            // Logged and rethrown unchanged: this layer only observes.
            var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var error = ex is VectorStoreException storeError ? storeError.Kind.ToString() : ex.GetType().Name;
            LogFailed(_logger, Name, operation, @namespace, elapsedMs, error);
            throw;
        }
    }

    [LoggerMessage(EventId = 2150, Level = LogLevel.Debug, Message = "{Store} {Operation} in namespace '{Namespace}' took {ElapsedMs:0.0} ms ({Count} items)")]
    private static partial void LogCompleted(ILogger logger, string store, string operation, string @namespace, double elapsedMs, long count);

    [LoggerMessage(EventId = 2151, Level = LogLevel.Debug, Message = "{Store} {Operation} in namespace '{Namespace}' failed after {ElapsedMs:0.0} ms: {Error}")]
    private static partial void LogFailed(ILogger logger, string store, string operation, string @namespace, double elapsedMs, string error);

    [LoggerMessage(EventId = 2152, Level = LogLevel.Debug, Message = "{Store} {Operation} in namespace '{Namespace}' cancelled by the caller after {ElapsedMs:0.0} ms")]
    private static partial void LogCancelled(ILogger logger, string store, string operation, string @namespace, double elapsedMs);

    [LoggerMessage(EventId = 2153, Level = LogLevel.Trace, Message = "{Store} query text \"{Text}\", top {TopK}, filter {Filter}")]
    private static partial void LogQueryText(ILogger logger, string store, string text, int topK, string? filter);

    [LoggerMessage(EventId = 2154, Level = LogLevel.Trace, Message = "{Store} {Operation} ids: {Ids}")]
    private static partial void LogIds(ILogger logger, string store, string operation, string ids);
}
