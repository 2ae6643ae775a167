using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood ingest --dry-run</c>: what an ingest of a file would write and spend, against today's quotas.</summary>
/// <remarks>
/// Each batch goes to the Ingest RPC as a dry run: the server maps and checks the items and fetches the stored copies
/// (one read per batch, as the real run), so written, unchanged and rejected are its own figures, and it names the calls
/// the real run would make on each store (the primary, and the fallback when writes are DUAL). Those calls are summed
/// here over the batches and held against what Usage says is left today.
/// </remarks>
internal static class IngestPreview
{
    public static async Task<int> RunAsync(
        CliSession session, string file, int total, IReadOnlyList<(int Index, Struct Item)> usable, List<(int Index, string Id, string Reason)> problems,
        string ns, int batchSize, CancellationToken cancellationToken)
    {
        var calls = 0;
        var wouldWrite = 0;
        var unchanged = 0;
        var needs = new Dictionary<string, (long Reads, long Writes)>(StringComparer.Ordinal);
        for (var offset = 0; offset < usable.Count; offset += batchSize)
        {
            var batch = usable.Skip(offset).Take(batchSize).ToList();
            var request = new IngestRequest { Namespace = ns, DryRun = true };
            request.Items.AddRange(batch.Select(b => b.Item));
            var response = await session.Client.IngestAsync(request, cancellationToken);
            calls++;
            wouldWrite += response.Written;
            unchanged += response.Unchanged;
            foreach (var problem in response.Problems)
            {
                problems.Add((problem.Index >= 0 && problem.Index < batch.Count ? batch[problem.Index].Index : -1, problem.Id, problem.Reason));
            }

            foreach (var q in response.Quota)
            {
                var (r, w) = needs.GetValueOrDefault(q.Store);
                needs[q.Store] = (r + q.Reads, w + q.Writes);
            }
        }

        problems.Sort((a, b) => a.Index.CompareTo(b.Index));
        var usage = await session.Client.UsageAsync(cancellationToken);
        var estimates = needs.Select(n => Estimate(usage, n.Key, n.Value.Reads, n.Value.Writes)).ToList();
        if (session.Json)
        {
            var document = new
            {
                file,
                dryRun = true,
                total,
                wouldWrite,
                unchanged,
                rejected = problems.Count,
                ingestCalls = calls,
                problems = problems.Select(p => new { index = p.Index, id = p.Id, reason = p.Reason }),
                quota = estimates.Select(e => JsonDocument.Parse(Google.Protobuf.JsonFormatter.Default.Format(e)).RootElement),
            };
            await session.Out.WriteLineAsync(JsonSerializer.Serialize(document));
        }
        else
        {
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"dry run: {total} item(s) from {Path.GetFileName(file)}: {wouldWrite} would be written, {unchanged} unchanged, {problems.Count} rejected, in {calls} Ingest call(s) of up to {batchSize}; nothing written"));
            foreach (var (index, id, reason) in problems)
            {
                await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  item {index} ({(id.Length == 0 ? "no id" : id)}): {reason}"));
            }

            TransferOutput.WriteQuota(session.Out, estimates);
        }

        return estimates.Any(e => e.Exceeds) ? TransferOptions.Paused : problems.Count > 0 ? ExitCodes.InvalidArgument : ExitCodes.Ok;
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
