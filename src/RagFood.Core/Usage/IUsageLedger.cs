namespace RagFood.Core.Usage;

/// <summary>Counts calls per store, operation and UTC day, against the configured plans.</summary>
/// <remarks>Store names are <see cref="VectorStores.IVectorStore.Name"/> values and <c>ollama</c>; operations are
/// <see cref="VectorStores.StoreOperation"/> names and <see cref="OllamaOperations"/>.</remarks>
public interface IUsageLedger
{
    /// <summary>Counts one call (and the records or tokens it carried). Cheap and non-blocking; persisted in the background.</summary>
    void Record(string store, string operation, long units = 0);

    /// <summary>Today, this month and the projected month for every store counted or planned.</summary>
    UsageReport GetReport();

    /// <summary>Calls left today under <paramref name="store"/>'s daily quotas; <c>null</c> parts have no quota.</summary>
    /// <remarks>For a migration's or ingestion's dry run: compare the calls a run needs with what is left.</remarks>
    QuotaRemaining RemainingToday(string store);
}

/// <summary>Calls left today; <c>null</c> where the plan has no quota.</summary>
public readonly record struct QuotaRemaining(long? Reads, long? Writes)
{
    /// <summary>The plan's daily read quota; 0 = none.</summary>
    public long DailyReadLimit { get; init; }

    /// <summary>The plan's daily write quota; 0 = none.</summary>
    public long DailyWriteLimit { get; init; }
}

/// <summary>Operation names used for Ollama calls.</summary>
public static class OllamaOperations
{
    /// <summary>The store name Ollama is counted under.</summary>
    public const string Store = "ollama";

    public const string Embed = "embed";
    public const string Chat = "chat";
}

/// <summary>How close a store is to its daily quota.</summary>
public enum QuotaState
{
    /// <summary>Below 80 % of every daily quota, or no quota.</summary>
    Ok,

    /// <summary>At or above 80 % of a daily quota.</summary>
    Warning,

    /// <summary>At or above 100 % of a daily quota: the store may refuse calls until the UTC day ends.</summary>
    Exceeded,
}

/// <summary>Calls and cost in one period.</summary>
/// <param name="Reads">Read calls (Upstash's "queries").</param>
/// <param name="Writes">Write calls (Upstash's "updates").</param>
/// <param name="Cost">What the calls cost at the plan's prices.</param>
/// <param name="Calls">Calls per operation.</param>
/// <param name="Units">Records (stores) or tokens (Ollama chat) per operation.</param>
public sealed record UsagePeriod(long Reads, long Writes, decimal Cost, IReadOnlyDictionary<string, long> Calls, IReadOnlyDictionary<string, long> Units);

/// <summary>One store's usage.</summary>
public sealed record StoreUsage(
    string Store,
    UsagePeriod Today,
    UsagePeriod Month,
    decimal ProjectedMonthCost,
    long DailyReadLimit,
    long DailyWriteLimit,
    QuotaState State)
{
    /// <summary>Today's reads over the daily read quota (0 without one).</summary>
    public double ReadQuotaUsed => DailyReadLimit > 0 ? (double)Today.Reads / DailyReadLimit : 0;

    /// <summary>Today's writes over the daily write quota (0 without one).</summary>
    public double WriteQuotaUsed => DailyWriteLimit > 0 ? (double)Today.Writes / DailyWriteLimit : 0;
}

/// <summary>A usage report at <see cref="At"/> (UTC) for the day <see cref="Day"/>.</summary>
public sealed record UsageReport(DateTimeOffset At, DateOnly Day, IReadOnlyList<StoreUsage> Stores);
