using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi.Models;

namespace RagFood.Server.HttpJson;

/// <summary>Registers gRPC JSON transcoding, its own HTTP/1.1 endpoint when configured, and the OpenAPI document.</summary>
public static class HttpJsonServiceCollectionExtensions
{
    /// <summary>The OpenAPI document's path.</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    /// <summary>
    /// Transcoding runs behind the same interceptors as gRPC (API keys, validation, exception mapping), so an HTTP caller
    /// gets the same checks, and the gRPC status becomes the standard HTTP code (InvalidArgument → 400, Unauthenticated →
    /// 401, NotFound → 404, ResourceExhausted → 429, Unavailable → 503, DeadlineExceeded → 504).
    /// </summary>
    /// <remarks>
    /// Plaintext endpoints are HTTP/2 only (prior knowledge, for grpcurl), which an HTTP/1.1 client cannot speak. With
    /// <c>HttpJson:Url</c> set, the configured gRPC URLs become named Kestrel endpoints (<c>Kestrel:Endpoints:Grpc0</c>, ...)
    /// and <c>Kestrel:Endpoints:HttpJson</c> is added beside them with HTTP/1.1; endpoints already configured under
    /// <c>Kestrel:Endpoints</c> are kept as they are. Call after <c>AddRagFoodKestrelDefaults</c>.
    /// </remarks>
    public static WebApplicationBuilder AddRagFoodHttpJson(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(HttpJsonOptions.SectionName);
        builder.Services.AddOptions<HttpJsonOptions>().Bind(section);
        var options = section.Get<HttpJsonOptions>() ?? new HttpJsonOptions();
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddGrpc().AddJsonTranscoding();
        if (options.OpenApi)
        {
            builder.Services.AddGrpcSwagger();
            builder.Services.AddSwaggerGen(swagger => swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "RagFood HTTP/JSON API",
                Version = "v1",
                Description = "The RagService, VectorService, MigrationService, StoresService and OperationsService RPCs as JSON over HTTP " +
                    "(gRPC JSON transcoding). Send the API key as 'Authorization: Bearer <key>' when the server requires one. " +
                    "Transfer paths are on the server and must lie in its Migration:AllowedDirectories.",
            }));
        }

        if (!string.IsNullOrWhiteSpace(options.Url))
        {
            AddEndpoint(builder, options.Url.Trim());
        }

        return builder;
    }

    /// <summary>The HTTP readiness probe: every health check (stores, quotas); 503 when one is Unhealthy.</summary>
    public const string ReadinessPath = "/healthz/ready";

    /// <summary>The HTTP liveness probe: the process answers; runs no check.</summary>
    public const string LivenessPath = "/healthz/live";

    /// <summary>Serves the OpenAPI document when enabled (the transcoded routes are mapped with the gRPC services), and
    /// the HTTP health probes for orchestrators and load balancers that cannot speak <c>grpc.health.v1</c>.</summary>
    /// <remarks>The probes are open (like gRPC health) and read the same checks, which never call a store themselves;
    /// the body is <c>{"status": "Healthy", "checks": {"store": "Healthy", ...}}</c>, without the checks' descriptions
    /// (they may name hosts and errors an anonymous caller need not see).</remarks>
    public static WebApplication MapRagFoodHttpJson(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Configuration.GetSection(HttpJsonOptions.SectionName).Get<HttpJsonOptions>() ?? new HttpJsonOptions();
        if (!options.Enabled)
        {
            return app;
        }

        if (options.OpenApi)
        {
            app.UseSwagger(swagger => swagger.RouteTemplate = "openapi/{documentName}.json");
        }

        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        return app;
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString(), StringComparer.Ordinal),
        }, context.RequestAborted);
    }

    private static void AddEndpoint(WebApplicationBuilder builder, string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"HttpJson:Url '{url}' is not an absolute http(s) URL; use e.g. http://127.0.0.1:50080.");
        }

        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:HttpJson:Url"] = url,
            ["Kestrel:Endpoints:HttpJson:Protocols"] = uri.Scheme == Uri.UriSchemeHttps ? "Http1AndHttp2" : "Http1",
        };
        if (!builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // Named endpoints replace the URL list, so the gRPC URLs are carried over as endpoints of their own.
            var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
            if (string.IsNullOrWhiteSpace(urls) && builder.Configuration["ASPNETCORE_HTTP_PORTS"] is { Length: > 0 } ports)
            {
                urls = string.Join(';', ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}"));
            }

            var grpcUrls = (string.IsNullOrWhiteSpace(urls) ? RagFoodServerExtensions.DefaultUrl : urls)
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < grpcUrls.Length; i++)
            {
                settings[$"Kestrel:Endpoints:Grpc{i}:Url"] = grpcUrls[i];
            }

            // Cleared, or Kestrel warns that the endpoints override it (this source is added last, so it wins).
            settings[WebHostDefaults.ServerUrlsKey] = null;
        }

        builder.Configuration.Sources.Add(new MemoryConfigurationSource { InitialData = settings });
    }
}
