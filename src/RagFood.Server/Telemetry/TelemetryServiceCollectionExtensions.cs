using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RagFood.Core.Telemetry;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Ingestion;
using RagFood.Server.Rag;

namespace RagFood.Server.Telemetry;

/// <summary>Registers RagFood's traces and metrics and, when configured, OpenTelemetry export.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Always: the <c>RagFood</c> meter's instruments (RPCs, store calls, retrieval, ingestion), recorded by an RPC
    /// interceptor and by decorators over the registered stores and the RAG pipeline; readable with dotnet-counters or
    /// any MeterListener. When <c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (or
    /// <c>Telemetry:Enabled</c> is true): the OpenTelemetry SDK with the ASP.NET Core, HttpClient, gRPC client and runtime
    /// instrumentations, Microsoft.Extensions.AI's gen_ai spans and metrics on the chat and embedding clients, and OTLP.
    /// </summary>
    /// <remarks>Call after the stores, the AI clients and the RAG pipeline are registered: it decorates their registrations.</remarks>
    public static WebApplicationBuilder AddRagFoodTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.TryAddSingleton<RagFoodMetrics>();
        services.TryAddSingleton(sp => new StoreActivity(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RpcTelemetryInterceptor>();
        services.AddHostedService<IngestionMetricsService>();

        // Outermost, outside the exception mapping: the status recorded is the one the caller receives.
        services.Configure<GrpcServiceOptions>(grpc =>
        {
            grpc.Interceptors.Add<RpcTelemetryInterceptor>();
            var registration = grpc.Interceptors[^1];
            grpc.Interceptors.RemoveAt(grpc.Interceptors.Count - 1);
            grpc.Interceptors.Insert(0, registration);
        });

        // The topology at start (the composition registers it as an instance beside the per-call factory; a configuration
        // reload may swap roles later, and these tags keep the roles the stores had at start).
        var topology = services.LastOrDefault(d => d.ServiceType == typeof(VectorStoreTopology) && d.ImplementationInstance is not null)?.ImplementationInstance as VectorStoreTopology;
        foreach (var key in services.KeysOf<IVectorStore>())
        {
            var role = topology is null ? "store" : Equals(key, topology.PrimaryName) ? "primary" : Equals(key, topology.FallbackName) ? "fallback" : "store";
            services.Decorate<IVectorStore>(key, (store, sp) => new OpenTelemetryVectorStore(store, sp.GetRequiredService<RagFoodMetrics>(), role, sp.GetRequiredService<StoreActivity>()));
        }

        services.Decorate<IVectorStore>((store, sp) => new RetrievalTelemetryVectorStore(store, sp.GetRequiredService<RagFoodMetrics>()));
        services.Decorate<IRagPipeline>((pipeline, _) => new TelemetryRagPipeline(pipeline));

        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        var environmentEndpoint = builder.Configuration[TelemetryOptions.OtlpEndpointVariable];
        if (!options.IsActive(environmentEndpoint))
        {
            return builder;
        }

        services.Decorate<IChatClient>((client, sp) => client.AsBuilder()
            .UseOpenTelemetry(sp.GetService<ILoggerFactory>(), RagFoodTelemetry.Name, c => c.EnableSensitiveData = options.RecordMessageContent)
            .Build(sp));
        services.Decorate<IEmbeddingGenerator<string, Embedding<float>>>((generator, sp) => generator.AsBuilder()
            .UseOpenTelemetry(sp.GetService<ILoggerFactory>(), RagFoodTelemetry.Name, g => g.EnableSensitiveData = options.RecordMessageContent)
            .Build(sp));

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(RagFoodTelemetry.Name)
                .AddAspNetCoreInstrumentation(a => a.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(RagFoodTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            var protocol = options.OtlpProtocol == "HttpProtobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            otel.UseOtlpExporter(protocol, new Uri(options.OtlpEndpoint, UriKind.Absolute));
        }
        else if (!string.IsNullOrWhiteSpace(environmentEndpoint))
        {
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS and the per-signal variants itself.
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>gRPC health checks poll often and would drown the traces that matter.</summary>
    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal) || path.StartsWithSegments("/healthz", StringComparison.Ordinal);
}

/// <summary>Observable instruments for the start-up ingestion: <c>ragfood.ingestion.records</c> by outcome and
/// <c>ragfood.ingestion.state</c> (1 for the current state).</summary>
internal sealed class IngestionMetricsService(RagFoodMetrics metrics, IngestionStatus status) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Meter.CreateObservableGauge("ragfood.ingestion.records", () =>
        {
            var outcome = status.Outcome;
            return outcome is null
                ? []
                : new[]
                {
                    new Measurement<long>(outcome.Written, new KeyValuePair<string, object?>("ragfood.outcome", "written")),
                    new Measurement<long>(outcome.Unchanged, new KeyValuePair<string, object?>("ragfood.outcome", "unchanged")),
                    new Measurement<long>(outcome.Problems.Count, new KeyValuePair<string, object?>("ragfood.outcome", "rejected")),
                };
        }, "{record}", "Records the start-up ingestion wrote, found unchanged or rejected.");
        metrics.Meter.CreateObservableGauge("ragfood.ingestion.state", () =>
            new Measurement<int>(1, new KeyValuePair<string, object?>("ragfood.state", status.State.ToString().ToLowerInvariant())),
            "1", "The start-up ingestion's state (pending, running, completed, skipped, failed).");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
