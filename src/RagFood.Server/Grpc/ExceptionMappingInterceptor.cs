using Grpc.Core;
using Grpc.Core.Interceptors;
using RagFood.Core.VectorStores;
using RagFood.Server.Logging;

namespace RagFood.Server.Grpc;

/// <summary>Maps exceptions from the services to gRPC status codes with messages a caller can act on.</summary>
/// <remarks>
/// ArgumentException → InvalidArgument; <see cref="VectorStoreException"/> by kind (logged through
/// <see cref="StoreFailureLog"/>, rate-limited); cancellation by the caller →
/// Cancelled, a passed deadline → DeadlineExceeded; anything else → Internal with a generic message (the exception is
/// logged, never sent: it may hold details a caller must not see).
/// </remarks>
internal sealed class ExceptionMappingInterceptor(ILogger<ExceptionMappingInterceptor> logger, StoreFailureLog storeFailures) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        var method = context.Method;
        switch (exception)
        {
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                var expired = context.Deadline <= DateTime.UtcNow;
                Log.RpcEndedEarly(logger, method, expired ? "deadline exceeded" : "cancelled by the caller");
                return expired
                    ? new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before the server finished."))
                    : new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled by the caller."));
            case OperationCanceledException:
                Log.RpcEndedEarly(logger, method, "an internal operation timed out");
                return new RpcException(new Status(StatusCode.DeadlineExceeded, "An operation inside the server timed out; try again."));
            case VectorStoreException store:
                storeFailures.Failed(method, store);
                return new RpcException(new Status(StatusCodeOf(store.Kind), store.Message));
            case ArgumentException argument:
                var message = RequestLimits.StripParameter(argument);
                Log.RpcInvalidArgument(logger, method, message);
                return new RpcException(new Status(StatusCode.InvalidArgument, message));
            default:
                Log.RpcUnhandled(logger, method, exception);
                return new RpcException(new Status(StatusCode.Internal, "The server failed to handle the request; the error has been logged."));
        }
    }

    internal static StatusCode StatusCodeOf(VectorStoreErrorKind kind) => kind switch
    {
        VectorStoreErrorKind.Unavailable or VectorStoreErrorKind.CircuitOpen => StatusCode.Unavailable,
        VectorStoreErrorKind.Timeout => StatusCode.DeadlineExceeded,
        VectorStoreErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        VectorStoreErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        VectorStoreErrorKind.NotFound => StatusCode.NotFound,
        VectorStoreErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        VectorStoreErrorKind.InvalidRequest => StatusCode.InvalidArgument,
        _ => StatusCode.Internal,
    };
}
