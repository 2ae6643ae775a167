using Grpc.Core;
using RagFood.Server.Edge;

namespace RagFood.Server.Grpc;

/// <summary>Turns a malformed request into INVALID_ARGUMENT with a short message, and logs it rate-limited per peer.</summary>
internal sealed class MalformedRequestReporter(RefusalLog log)
{
    public RpcException Refuse(ServerCallContext context, Type requestType, string reason)
    {
        log.Malformed(PeerAddress.Of(context), context.Method, reason);
        return new RpcException(new Status(StatusCode.InvalidArgument, Message(requestType, reason)));
    }

    internal static string Message(Type requestType, string reason) =>
        $"The request is not a valid {MessageName(requestType)} protobuf message: {reason}";

    private static string MessageName(Type type) =>
        type.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) is Google.Protobuf.Reflection.MessageDescriptor descriptor
            ? descriptor.FullName
            : type.Name;
}
