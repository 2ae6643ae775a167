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
/// here over the batches and held against what the last answer says is left today (after the dry run's own reads),
/// by the same rule as the server's (<see cref="QuotaEstimate.Against"/>).
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
        var needs = new Dictionary<string, (long Reads, long Writes, QuotaEstimate Last)>(StringComparer.Ordinal);
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
                var (r, w, _) = needs.GetValueOrDefault(q.Store);
                needs[q.Store] = (r + q.Reads, w + q.Writes, q);
            }
        }

        problems.Sort((a, b) => a.Index.CompareTo(b.Index));
        var estimates = needs.Select(n => QuotaEstimate.Against(
            n.Key, n.Value.Reads, n.Value.Writes,
            n.Value.Last.HasReadsLeft ? n.Value.Last.ReadsLeft : null, n.Value.Last.HasWritesLeft ? n.Value.Last.WritesLeft : null,
            n.Value.Last.DailyReadLimit, n.Value.Last.DailyWriteLimit)).ToList();
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
}
