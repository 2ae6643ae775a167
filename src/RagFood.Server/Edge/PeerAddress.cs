using System.Net;
using Grpc.Core;

namespace RagFood.Server.Edge;

/// <summary>The caller's IP address, the key for per-peer log throttling and rate-limit partitions.</summary>
internal static class PeerAddress
{
    /// <summary>The remote IP of the call's connection (without the port), or "unknown".</summary>
    public static string Of(ServerCallContext context) =>
        IpOf(context)?.ToString() ?? "unknown";

    public static IPAddress? IpOf(ServerCallContext context)
    {
        var address = context.GetHttpContext().Connection.RemoteIpAddress;
        return address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
