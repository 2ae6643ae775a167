namespace RagFood.Core.Usage;

/// <summary>A store's (or Ollama's) plan: daily quotas and pay-as-you-go prices.</summary>
/// <remarks>Reads are Upstash's "queries" (query, fetch, range, info, namespaces, and Ollama calls); writes are its
/// "updates" (upsert, delete, reset, delete namespace). A limit of 0 means no daily quota.</remarks>
public sealed class UsagePlan
{
    /// <summary>Read calls allowed per UTC day; 0 for no quota.</summary>
    public long DailyReadLimit { get; set; }

    /// <summary>Write calls allowed per UTC day; 0 for no quota.</summary>
    public long DailyWriteLimit { get; set; }

    /// <summary>Price of one million read calls, in the plan's currency (USD for Upstash).</summary>
    public decimal ReadPricePerMillion { get; set; }

    /// <summary>Price of one million write calls.</summary>
    public decimal WritePricePerMillion { get; set; }
}

/// <summary>Usage accounting (<c>Usage:*</c>): where the counters live, how often they are flushed, and the plans.</summary>
public sealed class UsageOptions
{
    /// <summary>The configuration section: <c>Usage</c>.</summary>
    public const string SectionName = "Usage";

    /// <summary>Fraction of a daily quota at which a warning is logged and health turns Degraded.</summary>
    public const double WarningRatio = 0.8;

    /// <summary>Counting on (default) or off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The counters' SQLite file; relative paths are resolved under the content root.</summary>
    public string Path { get; set; } = "data/ragfood-usage.db";

    /// <summary>How often counted calls are written to <see cref="Path"/> (and on shutdown). A crash loses at most this much.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Plans by store name (<c>upstash</c>, <c>chroma</c>, <c>sqlite</c>, <c>ollama</c>); a store without one is
    /// counted with no quota and no price.</summary>
    /// <remarks>The <c>upstash</c> default is illustrative, taken from the users' design document of 17 December 2025
    /// (pay-as-you-go: $0.20 per million reads, $2.00 per million writes) and Upstash's documented free-tier daily
    /// limits (10,000 queries and 10,000 updates a day). Check Upstash's pricing page and configure your own plan.</remarks>
    public Dictionary<string, UsagePlan> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["upstash"] = new UsagePlan
        {
            DailyReadLimit = 10_000,
            DailyWriteLimit = 10_000,
            ReadPricePerMillion = 0.20m,
            WritePricePerMillion = 2.00m,
        },
    };
}
