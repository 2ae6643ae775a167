using System.Globalization;

namespace RagFood.Contracts.V1;

/// <summary>The one rule for what a dry run says about quotas, for the server and the CLI alike.</summary>
public sealed partial class QuotaEstimate
{
    /// <summary>The calls a run would make on <paramref name="store"/> against what is left of its daily quotas:
    /// <c>exceeds</c> when either count is over what is left, with a warning per quota that names the plan's key.</summary>
    /// <param name="store">The store's provider name.</param>
    /// <param name="reads">Read calls the run would make.</param>
    /// <param name="writes">Write calls the run would make.</param>
    /// <param name="readsLeft">Reads left today; <c>null</c> when the plan has no daily read quota.</param>
    /// <param name="writesLeft">Writes left today; <c>null</c> when the plan has no daily write quota.</param>
    /// <param name="dailyReadLimit">The plan's daily read quota (0 = none).</param>
    /// <param name="dailyWriteLimit">The plan's daily write quota (0 = none).</param>
    /// <param name="whenExceeded">What the real run then does, appended to each warning ("" = nothing).</param>
    public static QuotaEstimate Against(
        string store, long reads, long writes, long? readsLeft, long? writesLeft, long dailyReadLimit, long dailyWriteLimit, string whenExceeded = "")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(whenExceeded);
        var estimate = new QuotaEstimate
        {
            Store = store,
            Reads = reads,
            Writes = writes,
            DailyReadLimit = dailyReadLimit,
            DailyWriteLimit = dailyWriteLimit,
        };
        var problems = new List<string>(2);
        if (readsLeft is { } r)
        {
            estimate.ReadsLeft = r;
            Check("read", reads, r, dailyReadLimit, "DailyReadLimit");
        }

        if (writesLeft is { } w)
        {
            estimate.WritesLeft = w;
            Check("write", writes, w, dailyWriteLimit, "DailyWriteLimit");
        }

        estimate.Exceeds = problems.Count > 0;
        estimate.Warning = string.Join("; ", problems);
        return estimate;

        void Check(string kind, long needed, long left, long limit, string key)
        {
            if (needed > left)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{store} would exceed today's remaining {kind} quota: needs {needed}, {left} left (plan limit {limit} a day, Usage:Plans:{store}:{key}){(whenExceeded.Length == 0 ? "" : "; " + whenExceeded)}"));
            }
        }
    }
}
