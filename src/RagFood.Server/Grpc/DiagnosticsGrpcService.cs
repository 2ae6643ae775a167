using Grpc.Core;
using RagFood.Contracts.V1;

namespace RagFood.Server.Grpc;

/// <summary>Ping does no work: the baseline that benchmarks compare every other RPC against.</summary>
internal sealed class DiagnosticsGrpcService : DiagnosticsService.DiagnosticsServiceBase
{
    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) =>
        Task.FromResult(new PingResponse { Payload = request.Payload });
}
