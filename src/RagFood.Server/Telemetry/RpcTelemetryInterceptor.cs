using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using RagFood.Core.Telemetry;

namespace RagFood.Server.Telemetry;

/// <summary>Counts and times every RPC by method and final status code, and tags the request's server span with the
/// gRPC semantic-convention attributes.</summary>
/// <remarks>Registered outermost, outside the exception mapping, so the status recorded is the one the caller receives.</remarks>
internal sealed class RpcTelemetryInterceptor(RagFoodMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            status = StatusOf(ex, context);
            throw;
        }
        finally
        {
            Record(context, status, started);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            status = StatusOf(ex, context);
            throw;
        }
        finally
        {
            Record(context, status, started);
        }
    }

    private static StatusCode StatusOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    private void Record(ServerCallContext context, StatusCode status, long started)
    {
        var method = context.Method;
        var code = (int)status;
        metrics.RpcRequests.Add(1, new("rpc.method", method), new("rpc.grpc.status_code", code));
        metrics.RpcDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new("rpc.method", method), new("rpc.grpc.status_code", code));

        // The server span comes from the ASP.NET Core instrumentation; the gRPC details are added to it here.
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            var slash = method.LastIndexOf('/');
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", slash > 0 ? method[1..slash] : method);
            activity.SetTag("rpc.method", slash >= 0 ? method[(slash + 1)..] : method);
            activity.SetTag("rpc.grpc.status_code", code);
            if (status != StatusCode.OK)
            {
                activity.SetStatus(ActivityStatusCode.Error, status.ToString());
            }
        }
    }
}
