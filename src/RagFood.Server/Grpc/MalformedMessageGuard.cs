using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RagFood.Server.Grpc;

/// <summary>Binds every gRPC service as grpc-dotnet's own binder does, but with request marshallers that turn a body
/// that is not valid protobuf into INVALID_ARGUMENT instead of UNKNOWN.</summary>
/// <remarks>
/// <para>grpc-dotnet deserializes the request before any interceptor runs; a parser exception there is reported as
/// UNKNOWN "Exception was thrown by handler." and logged as an Error with its stack trace, once per request. This
/// provider replaces grpc-dotnet's <c>BinderServiceMethodProvider</c> (see <see cref="Edge.EdgeServiceCollectionExtensions"/>):
/// it calls the generated <c>BindService</c> with its own <see cref="ServiceBinderBase"/>, which wraps each method's
/// request deserializer.</para>
/// <para>For unary and server-streaming methods a malformed body becomes an empty request that is remembered as
/// malformed; the invoker (innermost, after the auth and rate-limit interceptors) then refuses it through
/// <see cref="MalformedRequestReporter"/>, which knows the peer and rate-limits the log line. Client- and duplex-streaming
/// methods (only reflection has one) throw INVALID_ARGUMENT straight from the deserializer.</para>
/// </remarks>
internal sealed class GuardedServiceMethodProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(
    MalformedRequestReporter reporter) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } binding)
            {
                continue;
            }

            var bind = binding.BindType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == binding.BindMethodName && m.GetParameters() is { Length: 2 } p && p[0].ParameterType == typeof(ServiceBinderBase))
                ?? throw new InvalidOperationException($"Could not find {binding.BindMethodName} on {binding.BindType}.");
            bind.Invoke(null, [new GuardedServiceBinder<TService>(context, type, reporter), null]);
            return;
        }
    }
}

/// <summary>Records which deserialized requests were malformed, and why.</summary>
internal static class MalformedRequests
{
    private static readonly ConditionalWeakTable<object, string> Reasons = new();

    /// <summary>Wraps a request marshaller: parser failures become a fresh empty request remembered as malformed.</summary>
    public static Marshaller<TRequest> Remembering<TRequest>(Marshaller<TRequest> inner)
        where TRequest : class
        => Guarded(inner, reason =>
        {
            var placeholder = Activator.CreateInstance<TRequest>();
            Reasons.AddOrUpdate(placeholder, reason);
            return placeholder;
        });

    /// <summary>Wraps a request marshaller: parser failures throw INVALID_ARGUMENT (for streamed requests).</summary>
    public static Marshaller<TRequest> Refusing<TRequest>(Marshaller<TRequest> inner)
        where TRequest : class
        => Guarded<TRequest>(inner, reason =>
            throw new RpcException(new Status(StatusCode.InvalidArgument, MalformedRequestReporter.Message(typeof(TRequest), reason))));

    private static Marshaller<TRequest> Guarded<TRequest>(Marshaller<TRequest> inner, Func<string, TRequest> onMalformed)
        where TRequest : class
    {
        var deserialize = inner.ContextualDeserializer;
        return new Marshaller<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return deserialize(context);
            }
            catch (Exception ex) when (Describe(ex) is { } reason)
            {
                return onMalformed(reason);
            }
        });
    }

    public static bool TryGetReason(object request, [NotNullWhen(true)] out string? reason) => Reasons.TryGetValue(request, out reason);

    /// <summary>A short reason for a parser failure, or null for exceptions that are not about the bytes.</summary>
    internal static string? Describe(Exception exception) => exception switch
    {
        InvalidProtocolBufferException protobuf => FirstSentence(protobuf.Message),
        DecoderFallbackException => "a string field is not valid UTF-8.",
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>The <see cref="ServiceBinderBase"/> that the generated <c>BindService</c> calls: resolves each method's
/// implementation on <typeparamref name="TService"/> (as grpc-dotnet does) and adds it with a guarded marshaller.</summary>
internal sealed class GuardedServiceBinder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(
    ServiceMethodProviderContext<TService> context, Type declaringType, MalformedRequestReporter reporter) : ServiceBinderBase
    where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(Remembering(method), metadata, (service, request, call) =>
            MalformedRequests.TryGetReason(request, out var reason)
                ? Task.FromException<TResponse>(reporter.Refuse(call, typeof(TRequest), reason))
                : invoker(service, request, call));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(Remembering(method), metadata, (service, request, stream, call) =>
            MalformedRequests.TryGetReason(request, out var reason)
                ? Task.FromException(reporter.Refuse(call, typeof(TRequest), reason))
                : invoker(service, request, stream, call));
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<ClientStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(WithRequestMarshaller(method, MalformedRequests.Refusing(method.RequestMarshaller)), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Resolve<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
            method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(WithRequestMarshaller(method, MalformedRequests.Refusing(method.RequestMarshaller)), metadata, invoker);
    }

    private static Method<TRequest, TResponse> Remembering<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
        => WithRequestMarshaller(method, MalformedRequests.Remembering(method.RequestMarshaller));

    private static Method<TRequest, TResponse> WithRequestMarshaller<TRequest, TResponse>(Method<TRequest, TResponse> method, Marshaller<TRequest> marshaller)
        where TRequest : class
        where TResponse : class
        => new(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);

    private (TDelegate Invoker, List<object> Metadata) Resolve<TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
    {
        var implementation = FindOverride(name, parameters)
            ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
        var metadata = new List<object>();
        // Type attributes first, method attributes last (they win), and POST with CORS preflight, as grpc-dotnet does.
        metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true));
        metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
        metadata.Add(new Microsoft.AspNetCore.Routing.HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
        return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), implementation), metadata);
    }

    private MethodInfo? FindOverride(string name, Type[] parameters)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            var candidate = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, binder: null, parameters, modifiers: null);
            if (candidate is null)
            {
                return null;
            }

            // A method that hides the generated one (same name, not an override) is skipped, as grpc-dotnet does.
            if (candidate.IsVirtual && candidate.GetBaseDefinition().DeclaringType == declaringType)
            {
                return candidate;
            }
        }

        return null;
    }
}
