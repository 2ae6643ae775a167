using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFood.Server.Grpc;

namespace RagFood.Server.Edge;

/// <summary>Registration of the edge's hardening: malformed-message handling, rate-limited refusal logs, per-client rate
/// limits, the message size limit, and the Kestrel/TLS side (<see cref="EdgeHostingExtensions"/>).</summary>
public static class EdgeServiceCollectionExtensions
{
    /// <summary>Everything at the edge. Call after <c>AddRagFoodGrpc</c> (it replaces grpc-dotnet's method binder and
    /// appends the rate-limit interceptor after the API-key check).</summary>
    public static WebApplicationBuilder AddRagFoodEdge(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRagFoodEdgeHosting();
        builder.Services.AddRagFoodEdgeServices(builder.Configuration);
        return builder;
    }

    /// <summary>The service side of <see cref="AddRagFoodEdge"/>: <c>Edge:*</c> and <c>RateLimiting:*</c>.</summary>
    public static IServiceCollection AddRagFoodEdgeServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EdgeOptions>().Bind(configuration.GetSection(EdgeOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EdgeOptions>, EdgeOptionsValidator>());
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.TryAddSingleton<RefusalLog>();
        services.TryAddSingleton<MalformedRequestReporter>();
        services.TryAddSingleton<RateLimitingInterceptor>();

        // grpc-dotnet's binder reports an unparsable body as UNKNOWN with an Error and a stack trace; ours binds the
        // same methods with marshallers that make it INVALID_ARGUMENT (see GuardedServiceMethodProvider).
        // Only grpc-dotnet's own binder is replaced; other providers (JSON transcoding, if added) stay.
        var binders = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>)
            && d.ImplementationType is { IsGenericTypeDefinition: true } type
            && type.Name == "BinderServiceMethodProvider`1"
            && type.Assembly == typeof(GrpcServiceOptions).Assembly).ToList();
        if (binders.Count == 0)
        {
            throw new InvalidOperationException("AddRagFoodEdgeServices must run after AddGrpc: grpc-dotnet's method binder was not found.");
        }

        binders.ForEach(d => services.Remove(d));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(GuardedServiceMethodProvider<>)));

        services.TryAddSingleton<QueryBaselineService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<QueryBaselineService>, QueryBaselineMethodProvider>());

        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<EdgeOptions>>((grpc, edge) =>
        {
            grpc.MaxReceiveMessageSize = edge.Value.MaxReceiveMessageSize;
            grpc.Interceptors.Add<RateLimitingInterceptor>();
        });
        return services;
    }

    /// <summary>Maps the edge's optional endpoints: the benchmark's query baseline when <c>Edge:EnableQueryBaseline</c>.</summary>
    public static WebApplication MapRagFoodEdge(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<EdgeOptions>>().Value.EnableQueryBaseline)
        {
            app.MapGrpcService<QueryBaselineService>();
        }

        return app;
    }
}
