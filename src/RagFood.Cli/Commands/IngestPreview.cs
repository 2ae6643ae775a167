using System.Globalization;
using System.Text.Json;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood ingest --dry-run</c>: what an ingest of a file would send and spend, against today's quotas.</summary>
/// <remarks>
/// The Ingest RPC has no dry run of its own: the preview is computed here, from the file and the server's own figures
/// (Info for the primary and the write mode, Usage for the quotas). Each Ingest call of a batch costs the primary at most
/// one fetch (to find unchanged items) and one upsert; in DUAL write mode the fallback gets the same upserts, replayed
/// from the journal. Which items the server's loader rejects can only be known by sending them.
/// </remarks>
internal static class IngestPreview
{
    public static async Task<int> RunAsync(CliSession session, string file, int total, int usable, int locallyRejected, int batchSize, CancellationToken cancellationToken)
    {
        var calls = (usable + batchSize - 1) / batchSize;
        var info = await session.Client.InfoAsync(cancellationToken);
        var usage = await session.Client.UsageAsync(cancellationToken);
        var estimates = new List<QuotaEstimate> { Estimate(usage, info.Store, calls, calls) };
        if (string.Equals(info.WriteMode, "DUAL", StringComparison.OrdinalIgnoreCase) && info.FallbackStore.Length > 0)
        {
            estimates.Add(Estimate(usage, info.FallbackStore, 0, calls));
        }

        if (session.Json)
        {
            var document = new
            {
                file,
                dryRun = true,
                total,
                wouldSend = usable,
                rejected = locallyRejected,
                ingestCalls = calls,
                quota = estimates.Select(e => JsonDocument.Parse(Google.Protobuf.JsonFormatter.Default.Format(e)).RootElement),
            };
            await session.Out.WriteLineAsync(JsonSerializer.Serialize(document));
        }
        else
        {
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dry run: {total} item(s) from {Path.GetFileName(file)}: {usable} would be sent in {calls} Ingest call(s) of up to {batchSize}, {locallyRejected} rejected here (the server may reject more); nothing written"));
            TransferOutput.WriteQuota(session.Out, estimates);
        }

        return estimates.Any(e => e.Exceeds) ? TransferOptions.Paused : locallyRejected > 0 ? ExitCodes.InvalidArgument : ExitCodes.Ok;
    }

    /// <summary>Reads and writes a store would take, against what Usage says is left of its daily quotas.</summary>
    private static QuotaEstimate Estimate(UsageResponse usage, string store, long reads, long writes)
    {
        var estimate = new QuotaEstimate { Store = store, Reads = reads, Writes = writes };
        var problems = new List<string>(2);
        if (usage.Stores.FirstOrDefault(s => s.Store == store) is { } counted)
        {
            estimate.DailyReadLimit = counted.DailyReadLimit;
            estimate.DailyWriteLimit = counted.DailyWriteLimit;
            if (counted.DailyReadLimit > 0)
            {
                estimate.ReadsLeft = Math.Max(0, counted.DailyReadLimit - counted.Today.Reads);
                Check("read", reads, estimate.ReadsLeft, counted.DailyReadLimit, "DailyReadLimit");
            }

            if (counted.DailyWriteLimit > 0)
            {
                estimate.WritesLeft = Math.Max(0, counted.DailyWriteLimit - counted.Today.Writes);
                Check("write", writes, estimate.WritesLeft, counted.DailyWriteLimit, "DailyWriteLimit");
            }
        }

        estimate.Exceeds = problems.Count > 0;
        estimate.Warning = string.Join("; ", problems);
        return estimate;

        void Check(string kind, long needed, long left, long limit, string key)
        {
            if (needed > left)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{store} would exceed today's remaining {kind} quota: needs {needed}, {left} left (plan limit {limit} a day, Usage:Plans:{store}:{key})"));
            }
        }
    }
}
