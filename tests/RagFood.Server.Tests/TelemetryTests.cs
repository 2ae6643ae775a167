using System.Diagnostics;
using Grpc.Core;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>Traces and metrics read back through OpenTelemetry's in-memory exporter, with Ollama (stand-in) for chat and embeddings.</summary>
/// <remarks>Listeners are process-wide, so other servers running in parallel may add spans and points: spans are picked
/// by the trace id of the test's own caller span, metric points by their tags.</remarks>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private OllamaStandIn _ollama = null!;
    private ServerHost _server = null!;

    public async Task InitializeAsync()
    {
        _ollama = await OllamaStandIn.StartAsync();
        _server = await ServerHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Telemetry:Enabled"] = "true",
                ["Ollama:Url"] = _ollama.Address.ToString(),
                ["Embeddings:Provider"] = "Ollama",
            },
            configureServices: services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
                services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
            });
        await _server.WaitForIngestionAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    [Fact]
    public async Task An_ask_is_one_trace_with_retrieval_store_embedding_and_chat_spans_under_the_rpc()
    {
        // The caller's own span: the client instrumentation sends it in traceparent, and the server's spans join its trace.
        using var caller = new Activity("test caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var traceId = caller.TraceId;

        var reply = await _server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });
        caller.Stop();
        // The server span ends after the response is on its way, so it may be exported just after the reply arrives.
        List<Activity> trace;
        var waited = Stopwatch.StartNew();
        do
        {
            await Task.Delay(20);
            trace = Snapshot(_spans).Where(s => s.TraceId == traceId).ToList();
        }
        while (!trace.Any(IsAskRpc) && waited.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(AnswerMode.Generated, reply.Mode);
        var server = Assert.Single(trace, IsAskRpc);
        Assert.Equal("Ask", server.GetTagItem("rpc.method"));
        Assert.Equal("ragfood.v1.RagService", server.GetTagItem("rpc.service"));
        Assert.Equal(0, server.GetTagItem("rpc.grpc.status_code"));
        var ask = Assert.Single(trace, s => s.DisplayName == "rag.ask");
        Assert.Equal(server.SpanId, ask.ParentSpanId);
        Assert.Equal("Generated", ask.GetTagItem("ragfood.rag.mode"));
        var retrieval = Assert.Single(trace, s => s.DisplayName == "retrieval");
        Assert.Equal(ask.SpanId, retrieval.ParentSpanId);
        Assert.Equal(reply.Sources.Count, retrieval.GetTagItem("ragfood.records"));
        var query = Assert.Single(trace, s => s.DisplayName == "query sqlite");
        Assert.Equal(retrieval.SpanId, query.ParentSpanId);
        Assert.Equal("primary", query.GetTagItem("ragfood.store.role"));
        var embed = Assert.Single(trace, s => s.GetTagItem("gen_ai.operation.name") is "embeddings");
        Assert.Equal(query.SpanId, embed.ParentSpanId);
        var chat = Assert.Single(trace, s => s.GetTagItem("gen_ai.operation.name") is "chat");
        Assert.Equal(ask.SpanId, chat.ParentSpanId);
        Assert.Equal("llama3.2:1b", chat.GetTagItem("gen_ai.request.model"));
        // Message content is off by default: no prompt or answer on any span.
        Assert.DoesNotContain(trace.SelectMany(s => s.TagObjects).Select(t => t.Value?.ToString() ?? ""), v => v.Contains("saffron", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_ragfood_meter_counts_rpcs_by_status_times_store_calls_and_measures_retrieval_and_tokens()
    {
        await _server.Vector.QueryAsync(new QueryRequest { Text = "lentil stew", TopK = 2 });
        await _server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });
        await Assert.ThrowsAsync<RpcException>(() => _server.Vector.QueryAsync(new QueryRequest { Text = "x", Filter = "region = = 'India'" }).ResponseAsync);
        _server.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var metrics = _metrics;
        var rpcs = Points(metrics, "ragfood.rpc.requests");
        Assert.Contains(rpcs, p => Tag(p, "rpc.method") is "/ragfood.v1.VectorService/Query" && Tag(p, "rpc.grpc.status_code") is 0 && p.GetSumLong() >= 1);
        Assert.Contains(rpcs, p => Tag(p, "rpc.method") is "/ragfood.v1.VectorService/Query" && Tag(p, "rpc.grpc.status_code") is (int)global::Grpc.Core.StatusCode.InvalidArgument);
        Assert.Contains(Points(metrics, "ragfood.store.operation.duration"),
            p => Tag(p, "ragfood.store") is "sqlite" && Tag(p, "ragfood.operation") is "query" && Tag(p, "ragfood.outcome") is "ok" && p.GetHistogramCount() >= 2);
        Assert.Contains(Points(metrics, "ragfood.retrieval.results"), p => Tag(p, "ragfood.store") is "sqlite" && p.GetHistogramSum() >= 3);
        Assert.Contains(Points(metrics, "ragfood.retrieval.top_score"), p => p.GetHistogramCount() >= 2);
        Assert.Contains(Points(metrics, "gen_ai.client.token.usage"), p => p.GetHistogramSum() > 0);
        Assert.Contains(Points(metrics, "ragfood.usage.calls"), p => Tag(p, "ragfood.store") is "ollama" && Tag(p, "ragfood.operation") is "chat");
        Assert.Contains(Points(metrics, "ragfood.ingestion.records"), p => Tag(p, "ragfood.outcome") is "written" && p.GetGaugeLastValueLong() == TestCorpus.Count);
    }

    /// <summary>RagFood's server span (the Ollama stand-in's server spans share the trace).</summary>
    private static bool IsAskRpc(Activity span) =>
        span.Kind == ActivityKind.Server && span.DisplayName.EndsWith("/ragfood.v1.RagService/Ask", StringComparison.Ordinal);

    private static List<T> Snapshot<T>(List<T> items)
    {
        lock (items)
        {
            return [.. items];
        }
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name) => MetricPoints.Of(metrics, name);

    private static object? Tag(MetricPoint point, string key) => point.Tag(key);
}
