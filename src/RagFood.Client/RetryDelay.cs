using System.Globalization;
using Google.Rpc;
using Grpc.Core;

namespace RagFood.Client;

/// <summary>Reads the retry delay a RagFood server attaches to a rate-limit refusal.</summary>
internal static class RetryDelay
{
    internal const string Trailer = "retry-after-ms";

    /// <summary>The delay of a <c>ResourceExhausted</c> refusal, from <c>google.rpc.RetryInfo</c> in
    /// <c>grpc-status-details-bin</c>, else from <c>retry-after-ms</c>; null when the status is another one or carries neither.</summary>
    public static TimeSpan? Of(RpcException exception)
    {
        if (exception.StatusCode != StatusCode.ResourceExhausted)
        {
            return null;
        }

        try
        {
            if (exception.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay is { } delay && delay.ToTimeSpan() is var span && span >= TimeSpan.Zero)
            {
                return span;
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            // A status-details trailer that is not a google.rpc.Status: fall back to the plain trailer.
        }

        return exception.Trailers.GetValue(Trailer) is { } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : null;
    }
}
