using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagFood.Core.Usage;

namespace RagFood.Server.Usage;

/// <summary>Degraded when any store has used 80 % or more of a daily quota today; Healthy otherwise.</summary>
/// <remarks>Never Unhealthy: a spent quota is the store's to enforce, and the fallback may still serve. Reads only the
/// in-memory ledger, so it answers at once.</remarks>
internal sealed class UsageQuotaHealthCheck(IUsageLedger ledger) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = ledger.GetReport();
        var problems = report.Stores
            .Where(s => s.State != QuotaState.Ok)
            .Select(s => $"{s.Store} has used {Describe(s)} of today's quota{(s.State == QuotaState.Exceeded ? " (exceeded)" : "")}")
            .ToList();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("every store is below 80 % of its daily quotas")
            : HealthCheckResult.Degraded(string.Join("; ", problems)));
    }

    private static string Describe(StoreUsage usage)
    {
        var parts = new List<string>();
        if (usage.DailyReadLimit > 0)
        {
            parts.Add($"{usage.ReadQuotaUsed:P0} of reads ({usage.Today.Reads}/{usage.DailyReadLimit})");
        }

        if (usage.DailyWriteLimit > 0)
        {
            parts.Add($"{usage.WriteQuotaUsed:P0} of writes ({usage.Today.Writes}/{usage.DailyWriteLimit})");
        }

        return string.Join(" and ", parts);
    }
}
