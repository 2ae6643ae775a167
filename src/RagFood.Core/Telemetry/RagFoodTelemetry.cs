using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RagFood.Core.Telemetry;

/// <summary>The names RagFood's traces and metrics are published under, and its one <see cref="ActivitySource"/>.</summary>
/// <remarks>Listen with <c>AddSource(RagFoodTelemetry.Name)</c> and <c>AddMeter(RagFoodTelemetry.Name)</c>. Microsoft.Extensions.AI's
/// OpenTelemetry clients are given the same name, so the gen_ai spans and metrics of the embedding and chat calls join it.</remarks>
public static class RagFoodTelemetry
{
    /// <summary>Name of the activity source and of the meter: <c>RagFood</c>.</summary>
    public const string Name = "RagFood";

    /// <summary>Starts RagFood's own spans (store calls, retrieval, the RAG pipeline).</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(RagFoodTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>Every instrument on the <c>RagFood</c> meter that RagFood's own code records into.</summary>
/// <remarks>
/// <para>One instance per service provider, created from <see cref="IMeterFactory"/> (or, without a container, from a
/// private meter). Instruments cost nothing measurable while nothing listens.</para>
/// <para>Names follow OpenTelemetry's conventions: dotted lower case, durations in seconds. Tags: <c>rpc.method</c> and
/// <c>rpc.grpc.status_code</c> on RPCs; <c>ragfood.store</c>, <c>ragfood.store.role</c> (primary, fallback),
/// <c>ragfood.operation</c> and <c>ragfood.outcome</c> on store calls.</para>
/// <para>Fallback, hedge, breaker and journal instruments are recorded by the failover and journaling layers on a meter of
/// the same name, so one <c>AddMeter("RagFood")</c> collects them all.</para>
/// </remarks>
public sealed class RagFoodMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a private meter when it is <c>null</c>.</summary>
    public RagFoodMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(RagFoodTelemetry.Name) ?? new Meter(RagFoodTelemetry.Name);
        RpcRequests = _meter.CreateCounter<long>("ragfood.rpc.requests", "{request}", "RPCs handled, by method and status code.");
        RpcDuration = _meter.CreateHistogram<double>("ragfood.rpc.duration", "s", "RPC duration, by method and status code.");
        StoreOperationDuration = _meter.CreateHistogram<double>("ragfood.store.operation.duration", "s", "Duration of each call into a vector store, by store, role, operation and outcome.");
        RetrievalResults = _meter.CreateHistogram<int>("ragfood.retrieval.results", "{record}", "Records a similarity query returned, by the store that served it.");
        RetrievalTopScore = _meter.CreateHistogram<double>("ragfood.retrieval.top_score", "1", "Score of the best match of each similarity query that returned any.");
        UsageCalls = _meter.CreateCounter<long>("ragfood.usage.calls", "{call}", "Calls counted against a store's or Ollama's plan, by store and operation.");
        QuotaThresholdsCrossed = _meter.CreateCounter<long>("ragfood.usage.quota.crossings", "{crossing}", "Times a daily quota passed 80 % or 100 %, by store, quota and threshold.");
        IngestionItems = _meter.CreateCounter<long>("ragfood.ingestion.items", "{item}", "Food items ingested (start-up and the Ingest RPC), by outcome: written, unchanged, rejected; added per batch.");
        TransferRecords = _meter.CreateCounter<long>("ragfood.transfer.records", "{record}", "Records a migration, export or restore read, wrote, skipped as unchanged or refused, by kind, source, target and outcome.");
    }

    /// <summary>The meter, for observable instruments the server adds beside these (quota use, ingestion state and records).</summary>
    public Meter Meter => _meter;

    public Counter<long> RpcRequests { get; }

    public Histogram<double> RpcDuration { get; }

    public Histogram<double> StoreOperationDuration { get; }

    public Histogram<int> RetrievalResults { get; }

    public Histogram<double> RetrievalTopScore { get; }

    public Counter<long> UsageCalls { get; }

    public Counter<long> QuotaThresholdsCrossed { get; }

    public Counter<long> TransferRecords { get; }

    public Counter<long> IngestionItems { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
