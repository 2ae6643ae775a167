using Google.Protobuf.WellKnownTypes;
using RagFood.Core.Usage;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Operations;

/// <summary>Maps <see cref="UsageReport"/> to its protobuf form, for the Usage RPC and the usage section of Info.</summary>
internal static class UsageMapping
{
    public static V1.UsageResponse ToProto(UsageReport report)
    {
        var response = new V1.UsageResponse
        {
            Day = report.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            GeneratedAt = Timestamp.FromDateTimeOffset(report.At),
        };
        response.Stores.AddRange(report.Stores.Select(ToProto));
        return response;
    }

    public static V1.StoreUsage ToProto(StoreUsage usage) => new()
    {
        Store = usage.Store,
        Today = ToProto(usage.Today),
        Month = ToProto(usage.Month),
        ProjectedMonthCost = (double)usage.ProjectedMonthCost,
        DailyReadLimit = usage.DailyReadLimit,
        DailyWriteLimit = usage.DailyWriteLimit,
        QuotaState = usage.State switch
        {
            QuotaState.Warning => V1.QuotaState.Warning,
            QuotaState.Exceeded => V1.QuotaState.Exceeded,
            _ => V1.QuotaState.Ok,
        },
        ReadQuotaUsed = usage.ReadQuotaUsed,
        WriteQuotaUsed = usage.WriteQuotaUsed,
    };

    private static V1.UsagePeriod ToProto(UsagePeriod period)
    {
        var result = new V1.UsagePeriod { Reads = period.Reads, Writes = period.Writes, Cost = (double)period.Cost };
        result.Operations.AddRange(period.Calls.Select(c => new V1.OperationUsage
        {
            Operation = c.Key,
            Calls = c.Value,
            Units = period.Units.GetValueOrDefault(c.Key),
        }));
        return result;
    }
}
