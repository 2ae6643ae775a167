using Grpc.Core;

namespace RagFood.Client;

/// <summary>A RagFood call failed: the server answered with an error status, or could not be reached.</summary>
/// <remarks>
/// <para>Every <see cref="RagFoodClient"/> method throws this instead of <see cref="RpcException"/>, which stays
/// available as <see cref="Exception.InnerException"/>. <see cref="Exception.Message"/> is the server's message
/// (for example the reason an argument was rejected), or a sentence naming the address for transport failures.</para>
/// <para>Cancellation through the caller's token is not an error: it surfaces as
/// <see cref="OperationCanceledException"/>. An expired deadline is <see cref="StatusCode.DeadlineExceeded"/>.</para>
/// </remarks>
public sealed class RagFoodException : Exception
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="statusCode">The gRPC status of the failed call.</param>
    /// <param name="detail">The server's message (never contains the API key).</param>
    /// <param name="address">The server address the call went to.</param>
    /// <param name="innerException">The underlying <see cref="RpcException"/>.</param>
    public RagFoodException(StatusCode statusCode, string detail, Uri address, Exception? innerException = null)
        : base(Describe(statusCode, detail, address), innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
        Address = address;
    }

    /// <summary>For a call refused by the server's rate limit: how long the server asked the caller to wait before
    /// trying again (its <c>retry-after-ms</c> trailer or <c>google.rpc.RetryInfo</c>); otherwise <c>null</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The gRPC status code of the failed call.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status detail as the server (or the transport) wrote it.</summary>
    public string Detail { get; }

    /// <summary>The server address the call went to.</summary>
    public Uri Address { get; }

    /// <summary>Whether the same call may succeed later unchanged (<c>Unavailable</c>, <c>ResourceExhausted</c>, <c>DeadlineExceeded</c>, <c>Aborted</c>).</summary>
    public bool IsTransient => StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted
        or StatusCode.DeadlineExceeded or StatusCode.Aborted;

    private static string Describe(StatusCode statusCode, string detail, Uri address) => statusCode switch
    {
        StatusCode.Unavailable => $"cannot reach RagFood at {address.GetLeftPart(UriPartial.Authority)}: {detail}",
        StatusCode.DeadlineExceeded => $"RagFood at {address.GetLeftPart(UriPartial.Authority)} did not answer before the deadline: {detail}",
        _ => detail,
    };
}
