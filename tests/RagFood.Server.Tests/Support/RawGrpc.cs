using Grpc.Core;
using Grpc.Net.Client;

namespace RagFood.Server.Tests.Support;

/// <summary>Calls any RPC with raw bytes as the request body, so tests can send what no generated client would.</summary>
internal static class RawGrpc
{
    private static readonly Marshaller<byte[]> Bytes = new(static b => b, static b => b);

    /// <summary>Sends <paramref name="body"/> to <paramref name="fullMethod"/> (e.g. <c>/ragfood.v1.VectorService/Query</c>)
    /// and returns the status the server ended the call with (OK when it answered).</summary>
    public static async Task<Status> CallAsync(GrpcChannel channel, string fullMethod, bool serverStreaming, byte[] body, TimeSpan timeout, Metadata? headers = null)
    {
        var slash = fullMethod.LastIndexOf('/');
        var service = fullMethod[1..slash];
        var name = fullMethod[(slash + 1)..];
        var invoker = channel.CreateCallInvoker();
        var options = new CallOptions(headers, DateTime.UtcNow + timeout);
        try
        {
            if (serverStreaming)
            {
                var method = new Method<byte[], byte[]>(MethodType.ServerStreaming, service, name, Bytes, Bytes);
                using var call = invoker.AsyncServerStreamingCall(method, null, options, body);
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }

                return call.GetStatus();
            }
            else
            {
                var method = new Method<byte[], byte[]>(MethodType.Unary, service, name, Bytes, Bytes);
                using var call = invoker.AsyncUnaryCall(method, null, options, body);
                await call.ResponseAsync;
                return call.GetStatus();
            }
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }
}
