using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RagFood.Client;

/// <summary>Adds the API key and the default deadline to every call made through the client.</summary>
/// <remarks>
/// An interceptor rather than <see cref="CallCredentials"/>: call credentials are refused on plaintext channels unless
/// the channel opts into sending them insecurely, while the server's default endpoint is plaintext HTTP/2 on loopback.
/// The header is the same either way.
/// </remarks>
internal sealed class RagFoodCallInterceptor(string? apiKey, TimeSpan? defaultDeadline, TimeProvider timeProvider) : Interceptor
{
    private readonly string? _authorization = string.IsNullOrEmpty(apiKey) ? null : "Bearer " + apiKey;

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Decorate(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        => continuation(request, Decorate(context));

    private ClientInterceptorContext<TRequest, TResponse> Decorate<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        var options = context.Options;
        if (options.Deadline is null && defaultDeadline is { } timeout)
        {
            options = options.WithDeadline(timeProvider.GetUtcNow().UtcDateTime + timeout);
        }

        if (_authorization is not null && options.Headers?.Get("authorization") is null)
        {
            var headers = new Metadata();
            if (options.Headers is not null)
            {
                foreach (var entry in options.Headers)
                {
                    headers.Add(entry);
                }
            }

            headers.Add("authorization", _authorization);
            options = options.WithHeaders(headers);
        }

        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options);
    }
}
