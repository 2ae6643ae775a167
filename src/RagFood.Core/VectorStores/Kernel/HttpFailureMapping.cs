using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The one mapping of HTTP failures to <see cref="VectorStoreErrorKind"/>, for every HTTP-backed store.</summary>
/// <remarks>
/// Status: 401/403 Unauthenticated; 400, 409 and 422 InvalidRequest; 404 NotFound; 408 and 504 Timeout; 429
/// ResourceExhausted; other 5xx Unavailable; anything else Internal. Before an answer: an open breaker is CircuitOpen,
/// a Polly timeout (or another timeout that is not the caller's cancellation) Timeout, any other pipeline rejection (a
/// client-side rate limiter) ResourceExhausted, a transport error Unavailable. A store refines a kind only where its
/// backend says more (Upstash's 422 "not allowed" is FailedPrecondition).
/// </remarks>
public static class HttpFailureMapping
{
    /// <summary>The kind of a non-success status.</summary>
    public static VectorStoreErrorKind KindOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => VectorStoreErrorKind.Unauthenticated,
        HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity => VectorStoreErrorKind.InvalidRequest,
        HttpStatusCode.NotFound => VectorStoreErrorKind.NotFound,
        HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => VectorStoreErrorKind.Timeout,
        HttpStatusCode.TooManyRequests => VectorStoreErrorKind.ResourceExhausted,
        _ when (int)status >= 500 => VectorStoreErrorKind.Unavailable,
        _ => VectorStoreErrorKind.Internal,
    };

    /// <summary>True for the exceptions <see cref="FromTransport"/> translates: anything the HTTP pipeline throws
    /// before an answer, except the caller's own cancellation.</summary>
    public static bool IsTransportFailure(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException when callerToken.IsCancellationRequested => false,
        ExecutionRejectedException or HttpRequestException or OperationCanceledException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Translates a failure before an answer into a <see cref="VectorStoreException"/>.</summary>
    /// <param name="storeName">The store's name.</param>
    /// <param name="target">How messages name the backend, e.g. "Upstash" or "Chroma at http://host:8000".</param>
    /// <param name="operation">What was being done, e.g. "query".</param>
    /// <param name="exception">What the pipeline threw.</param>
    public static VectorStoreException FromTransport(string storeName, string target, string operation, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (kind, message) = exception switch
        {
            BrokenCircuitException => (VectorStoreErrorKind.CircuitOpen,
                $"{target} failed repeatedly and is not being called for now (circuit open); {operation} was not sent."),
            TimeoutRejectedException or OperationCanceledException or TimeoutException => (VectorStoreErrorKind.Timeout,
                $"{target} did not answer {operation} in time."),
            ExecutionRejectedException => (VectorStoreErrorKind.ResourceExhausted,
                $"The client-side rate limit for {target} rejected {operation}."),
            _ => (VectorStoreErrorKind.Unavailable, $"{target} could not be reached for {operation}: {exception.Message}"),
        };
        return new VectorStoreException(storeName, kind, message, exception);
    }
}
