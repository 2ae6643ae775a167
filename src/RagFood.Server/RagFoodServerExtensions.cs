using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Server.Composition;
using RagFood.Server.Edge;
using RagFood.Server.Grpc;
using RagFood.Server.HttpJson;
using RagFood.Server.Health;
using RagFood.Server.Ingestion;
using RagFood.Server.Operations;
using RagFood.Server.Rag;
using RagFood.Server.Transfer;
using RagFood.Server.Telemetry;
using RagFood.Server.Usage;

namespace RagFood.Server;

/// <summary>The server's wiring, called from Program.cs (and by the in-process tests, so they run the same app).</summary>
public static class RagFoodServerExtensions
{
    /// <summary>Where the server listens when no URL is configured (<c>Urls</c>, <c>ASPNETCORE_URLS</c>, <c>--urls</c> or <c>Kestrel:Endpoints</c>).</summary>
    public const string DefaultUrl = "http://127.0.0.1:50051";

    /// <summary>Registers everything: Kestrel defaults, the vector store, embeddings and chat, RAG, ingestion, gRPC, health.</summary>
    public static WebApplicationBuilder AddRagFoodServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRagFoodConfigurationDefaults();
        builder.AddRagFoodKestrelDefaults();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRagFoodAi(builder.Configuration);
        builder.Services.AddRagFoodVectorStore(builder.Configuration);
        builder.Services.AddRagFoodRag(builder.Configuration);
        builder.Services.AddRagFoodIngestion(builder.Configuration);
        builder.Services.AddRagFoodGrpc(builder.Configuration);
        builder.Services.AddRagFoodTransfer(builder.Configuration);
        // After the stores, AI clients and pipeline: these decorate their registrations.
        builder.Services.AddRagFoodUsage(builder.Configuration);
        builder.Services.AddRagFoodOperations();
        builder.AddRagFoodTelemetry();
        builder.AddRagFoodHttpJson();
        builder.AddRagFoodEdge();
        return builder;
    }

    /// <summary>Settings the server needs even when appsettings.json is not found, added beneath every other source.</summary>
    /// <remarks>The content root is the working directory, so <c>dotnet /opt/ragfood/RagFood.Server.dll</c> started
    /// elsewhere reads no appsettings.json. Without these defaults every request would then be logged twice at
    /// Information level by ASP.NET Core: slower calls and a log that grows by gigabytes under load. appsettings.json,
    /// environment variables and the command line all still override them.</remarks>
    public static WebApplicationBuilder AddRagFoodConfigurationDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Grpc"] = "Warning",
                // Every outbound store call would otherwise log several lines at Information (the client and the
                // resilience pipeline): hundreds of MB an hour under load. Failures still log at Warning.
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
            },
        });
        return builder;
    }

    /// <summary>Plaintext endpoints speak HTTP/2 only (prior knowledge, as grpcurl and buf curl expect), and the default
    /// endpoint is loopback-only on <see cref="DefaultUrl"/>.</summary>
    public static WebApplicationBuilder AddRagFoodKestrelDefaults(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
        var configured = !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_HTTP_PORTS"])
            || builder.Configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    /// <summary>The RAG pipeline and its options (<c>Rag:*</c>).</summary>
    public static IServiceCollection AddRagFoodRag(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RagOptions>().Bind(configuration.GetSection(RagOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<RagOptions>, RagOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RagOptions>, RagOptionsValidator>());
        services.TryAddSingleton<StoreInfoCache>();
        services.TryAddSingleton<RelevanceFloorProvider>();
        services.TryAddSingleton<IRagPipeline, RagPipeline>();
        return services;
    }

    /// <summary>The idempotent ingestor and the start-up ingestion (<c>Ingestion:*</c>).</summary>
    public static IServiceCollection AddRagFoodIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        services.TryAddSingleton<IngestionStatus>();
        services.TryAddSingleton<CorpusIngestor>();
        services.TryAddSingleton<CorpusTargetPolicy>();
        services.AddHostedService<StartupIngestionService>();
        return services;
    }

    /// <summary>gRPC with the auth and exception-mapping interceptors, reflection, and health backed by store readiness.</summary>
    public static IServiceCollection AddRagFoodGrpc(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<StoreInfoCache>();
        services.TryAddSingleton<MetadataStructCache>();
        services.TryAddSingleton<StoreFailureLog>();
        services.AddGrpc(grpc =>
        {
            // First added is outermost: exceptions from the auth check and the services are mapped alike.
            grpc.Interceptors.Add<ExceptionMappingInterceptor>();
            grpc.Interceptors.Add<ApiKeyInterceptor>();
        });
        services.AddGrpcReflection();
        services.AddRagFoodStoreHealth();
        return services;
    }

    /// <summary>Maps the RagFood services, health and reflection.</summary>
    public static WebApplication MapRagFoodServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGrpcService<VectorGrpcService>();
        app.MapGrpcService<RagGrpcService>();
        app.MapGrpcService<DiagnosticsGrpcService>();
        app.MapRagFoodTransfer();
        app.MapRagFoodOperations();
        app.MapRagFoodHttpJson();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapRagFoodEdge();
        return app;
    }
}
