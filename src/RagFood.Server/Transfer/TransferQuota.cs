using RagFood.Core.Usage;
using RagFood.Transfer;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>What a dry run says about quotas: the calls the real run would make on each store it touches, against the
/// calls its plan has left today (<see cref="IUsageLedger.RemainingToday"/>).</summary>
/// <remarks>
/// The copy's calls are those the dry run counted page by page (<see cref="TransferCalls"/>): one range call per source
/// page, one fetch per batch checked for unchanged records, one upsert per batch with something to write. Each store
/// also gets one info call (the check before the first write) and, when the run verifies at the end, one range call per
/// 500 records of each side. The question-overlap queries of a text-mode verification (one per question on each side)
/// are not included. Upstash bills every request the same (its FAQ: ranges, queries, fetches, upserts and deletes,
/// "all counted equal"); the daily quotas are counted in requests, as the usage ledger counts them.
/// </remarks>
internal sealed class TransferQuota(IUsageLedger ledger)
{
    private const int VerifyPageSize = 500;
    private const string PauseNote = "the run would pause when it runs out and continue with resume after midnight UTC";

    public IEnumerable<V1.QuotaEstimate> Estimate(MigrationPlan plan, MigrationSummary summary, bool verifies)
    {
        var needs = new Dictionary<string, (long Reads, long Writes)>(StringComparer.Ordinal);
        var verifyPages = verifies ? (summary.Read + VerifyPageSize - 1) / VerifyPageSize : 0;
        if (plan.Source is StoreRecordSource { QueryableStore: { } source })
        {
            Add(source.Name, summary.Calls.SourcePages + 1 + verifyPages, 0);
        }

        if (plan.Target is StoreRecordSink target)
        {
            Add(target.Name, summary.Calls.TargetFetches + 1 + verifyPages, summary.Calls.TargetWrites);
        }

        foreach (var (store, (reads, writes)) in needs)
        {
            yield return For(store, reads, writes);
        }

        void Add(string store, long reads, long writes)
        {
            var (r, w) = needs.GetValueOrDefault(store);
            needs[store] = (r + reads, w + writes);
        }
    }

    /// <summary>A repair's calls, from the differences its dry run found: per namespace, one fetch from the reference
    /// and one upsert into the repaired store per batch of missing or changed ids, one delete per batch of extra ids
    /// (unless kept), an info on each side, and the verification after it (one range call per 500 records of each side).</summary>
    public IEnumerable<V1.QuotaEstimate> EstimateRepair(RagFood.Transfer.Verification.VerificationReport before, string from, string to, bool deleteExtra, int batchSize)
    {
        long Batches(long ids) => (ids + batchSize - 1) / batchSize;
        long copies = 0, deletes = 0, fromPages = 0, toPages = 0;
        foreach (var ns in before.Namespaces)
        {
            copies += Batches(ns.MissingCount + ns.ChangedCount);
            deletes += deleteExtra ? Batches(ns.ExtraCount) : 0;
            fromPages += (ns.ExpectedCount + VerifyPageSize - 1) / VerifyPageSize;
            toPages += (ns.ExpectedCount + (deleteExtra ? 0 : ns.ExtraCount) + VerifyPageSize - 1) / VerifyPageSize;
        }

        yield return For(from, copies + 1 + fromPages, 0);
        yield return For(to, 1 + toPages, copies + deletes);
    }

    /// <summary>An ingest's calls on one store: <paramref name="reads"/> fetches and <paramref name="writes"/> upserts,
    /// against what is left of its quotas today. An ingest does not pause, so its warning says no more.</summary>
    public V1.QuotaEstimate ForIngest(string store, long reads, long writes) => Against(store, reads, writes, "");

    private V1.QuotaEstimate For(string store, long reads, long writes) => Against(store, reads, writes, PauseNote);

    private V1.QuotaEstimate Against(string store, long reads, long writes, string whenExceeded)
    {
        var left = ledger.RemainingToday(store);
        return V1.QuotaEstimate.Against(store, reads, writes, left.Reads, left.Writes, left.DailyReadLimit, left.DailyWriteLimit, whenExceeded);
    }
}
