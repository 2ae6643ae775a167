using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Core.Usage;

namespace RagFood.Server.Operations;

/// <summary>Usage and CheckSetup: read the ledger or run the set-up checks, map back.</summary>
internal sealed class OperationsGrpcService(IUsageLedger ledger, SetupChecker checker) : OperationsService.OperationsServiceBase
{
    public override Task<UsageResponse> Usage(UsageRequest request, ServerCallContext context)
        => Task.FromResult(UsageMapping.ToProto(ledger.GetReport()));

    public override async Task<CheckSetupResponse> CheckSetup(CheckSetupRequest request, ServerCallContext context)
    {
        var findings = await checker.CheckAsync(context.CancellationToken).ConfigureAwait(false);
        var response = new CheckSetupResponse();
        response.Findings.AddRange(findings.Select(f => new RagFood.Contracts.V1.SetupFinding
        {
            Check = f.Check,
            Severity = f.Severity switch
            {
                FindingSeverity.Problem => CheckSeverity.Problem,
                FindingSeverity.Warning => CheckSeverity.Warning,
                _ => CheckSeverity.Ok,
            },
            Message = f.Message,
            FixKey = f.FixKey,
            FixValue = f.FixValue,
        }));
        return response;
    }
}
