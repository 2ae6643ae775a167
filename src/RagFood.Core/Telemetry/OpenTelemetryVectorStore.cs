using System.Diagnostics;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Telemetry;

/// <summary>A client span and a duration measurement for every call into one store.</summary>
/// <remarks>
/// <para>Spans are named "<c>{operation} {store}</c>" (e.g. <c>query upstash</c>) and carry <c>db.system.name</c>,
/// <c>db.operation.name</c>, <c>db.namespace</c>, <c>ragfood.store.role</c> and, when done, <c>ragfood.records</c>.
/// A failure sets the span's status to Error with <c>error.type</c> (the <see cref="VectorStoreErrorKind"/>, or the
/// exception type); caller cancellation is recorded as <c>cancelled</c>, not as an error.</para>
/// <para>Query texts, ids and vectors are never put on spans.</para>
/// </remarks>
public sealed class OpenTelemetryVectorStore : ObservedVectorStore
{
    private readonly RagFoodMetrics _metrics;
    private readonly string _role;
    private readonly StoreActivity? _activity;

    /// <param name="innerStore">The store observed.</param>
    /// <param name="metrics">Where durations are recorded.</param>
    /// <param name="role">What the store is in this composition: <c>primary</c>, <c>fallback</c> or another word.</param>
    /// <param name="activity">Where answers and failures of real traffic are recorded for health; optional.</param>
    public OpenTelemetryVectorStore(IVectorStore innerStore, RagFoodMetrics metrics, string role, StoreActivity? activity = null)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        _metrics = metrics;
        _role = role;
        _activity = activity;
    }

    protected override async Task<T> ObserveAsync<T>(string operation, string @namespace, Func<CancellationToken, Task<T>> call, Func<T, long> records, CancellationToken cancellationToken)
    {
        var store = InnerStore.Name;
        using var activity = RagFoodTelemetry.ActivitySource.StartActivity($"{operation} {store}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", store);
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.namespace", @namespace);
            activity.SetTag("ragfood.store.role", _role);
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            activity?.SetTag("ragfood.records", records(result));
            if (!HealthProbeScope.IsActive)
            {
                _activity?.Answered(store);
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            activity?.SetTag("error.type", outcome);
            throw;
        }
        catch (Exception ex)
        {
            // Recorded and re-thrown unchanged: this layer only watches.
            outcome = ex switch
            {
                VectorStoreException store1 => store1.Kind.ToString(),
                ArgumentException => "invalid_argument",
                _ => ex.GetType().Name,
            };
            activity?.SetStatus(ActivityStatusCode.Error, ex is VectorStoreException or ArgumentException ? ex.Message : ex.GetType().Name);
            activity?.SetTag("error.type", outcome);
            if (ex is VectorStoreException && !HealthProbeScope.IsActive)
            {
                _activity?.Failed(store);
            }

            throw;
        }
        finally
        {
            _metrics.StoreOperationDuration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds,
                new("ragfood.store", store),
                new("ragfood.store.role", _role),
                new("ragfood.operation", operation),
                new("ragfood.outcome", outcome));
        }
    }
}

/// <summary>Wraps the composed store: each similarity query becomes a <c>retrieval</c> span, and its result count and
/// best score are measured, tagged with the store that served it (after any fallback).</summary>
/// <remarks>The spans of the individual stores tried (primary, fallback, hedge) are its children.</remarks>
public sealed class RetrievalTelemetryVectorStore : DelegatingVectorStore
{
    private readonly RagFoodMetrics _metrics;

    public RetrievalTelemetryVectorStore(IVectorStore innerStore, RagFoodMetrics metrics)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _metrics = metrics;
    }

    public override async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var activity = RagFoodTelemetry.ActivitySource.StartActivity("retrieval", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("ragfood.query.kind", query.Text is null ? "vector" : "text");
            activity.SetTag("ragfood.query.top_k", query.TopK);
            activity.SetTag("ragfood.query.filtered", query.Filter is not null);
            activity.SetTag("db.namespace", query.Namespace);
        }

        IReadOnlyList<ScoredRecord> matches;
        try
        {
            matches = await InnerStore.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex is VectorStoreException or ArgumentException ? ex.Message : ex.GetType().Name);
            throw;
        }

        var served = ServingScope.Current?.StoreName ?? InnerStore.Name;
        var tag = new KeyValuePair<string, object?>("ragfood.store", served);
        _metrics.RetrievalResults.Record(matches.Count, tag);
        if (matches.Count > 0)
        {
            _metrics.RetrievalTopScore.Record(matches[0].Score, tag);
        }

        if (activity is not null)
        {
            activity.SetTag("ragfood.store", served);
            activity.SetTag("ragfood.records", matches.Count);
            if (matches.Count > 0)
            {
                activity.SetTag("ragfood.top_score", matches[0].Score);
            }
        }

        return matches;
    }
}
