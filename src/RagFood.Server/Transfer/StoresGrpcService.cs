using Grpc.Core;
using RagFood.Transfer;
using RagFood.Transfer.Sources;
using RagFood.Transfer.Verification;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>VerifyStores and RepairStores over the configured primary and fallback (the same verifier as migration).</summary>
internal sealed class StoresGrpcService(TransferEndpoints endpoints, StoreVerifier verifier, StoreRepairer repairer, TransferQuota quota) : V1.StoresService.StoresServiceBase
{
    public override async Task<V1.VerifyStoresResponse> VerifyStores(V1.VerifyStoresRequest request, ServerCallContext context)
    {
        var primary = endpoints.Store("primary", "primary");
        var fallback = RequireFallback();
        var report = await verifier.VerifyAsync(new StoreRecordSource(primary), new StoreRecordSource(fallback),
            new VerifyOptions { Namespace = request.HasNamespace ? request.Namespace : null }, context.CancellationToken).ConfigureAwait(false);
        return new V1.VerifyStoresResponse { Primary = primary.Name, Fallback = fallback.Name, Report = TransferMapping.ToProto(report) };
    }

    public override async Task<V1.RepairStoresResponse> RepairStores(V1.RepairStoresRequest request, ServerCallContext context)
    {
        var primary = endpoints.Store("primary", "primary");
        var fallback = RequireFallback();
        var (from, to) = request.Direction switch
        {
            V1.RepairDirection.Unspecified or V1.RepairDirection.PrimaryToFallback => (primary, fallback),
            V1.RepairDirection.FallbackToPrimary => (fallback, primary),
            _ => throw new TransferInputException($"Unknown repair direction {(int)request.Direction}; use primary-to-fallback or fallback-to-primary."),
        };
        var batchSize = TransferRunner.BatchSize(request.BatchSize);
        var result = await repairer.RepairAsync(from, to, request.HasNamespace ? request.Namespace : null, !request.KeepExtra, request.DryRun,
            batchSize, context.CancellationToken).ConfigureAwait(false);
        var response = new V1.RepairStoresResponse
        {
            From = from.Name,
            To = to.Name,
            Before = TransferMapping.ToProto(result.Before),
            Copied = result.Copied,
            Deleted = result.Deleted,
            DryRun = result.DryRun,
        };
        if (result.After is { } after)
        {
            response.After = TransferMapping.ToProto(after);
        }

        if (result.DryRun)
        {
            response.Quota.AddRange(quota.EstimateRepair(result.Before, from.Name, to.Name, !request.KeepExtra, batchSize));
        }

        return response;
    }

    private Core.VectorStores.IVectorStore RequireFallback() =>
        endpoints.FallbackName.Length > 0
            ? endpoints.Store("fallback", "fallback")
            : throw new RpcException(new Status(StatusCode.FailedPrecondition, "No fallback store is configured (VectorStore:Fallback); there is nothing to compare the primary with."));
}
