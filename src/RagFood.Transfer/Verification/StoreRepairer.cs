using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Verification;

/// <summary>What a repair did: the comparison before, what was copied and deleted, and the comparison after.</summary>
public sealed record RepairResult(VerificationReport Before, long Copied, long Deleted, VerificationReport? After)
{
    public bool DryRun { get; init; }
}

/// <summary>Makes one store equal to another: copies the source's version of every missing or changed record and
/// deletes records only the target has (unless told to keep them), then verifies again.</summary>
/// <remarks>Vectors are copied when both stores are in the same embedding space; otherwise the target re-embeds the
/// text. Built on <see cref="StoreVerifier"/>, so "equal" means exactly what <c>VerifyStores</c> reports.</remarks>
public sealed class StoreRepairer(StoreVerifier verifier, ILogger<StoreRepairer>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<StoreRepairer>.Instance;

    public async Task<RepairResult> RepairAsync(IVectorStore from, IVectorStore to, string? @namespace, bool deleteExtra, bool dryRun, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (batchSize is < 1 or > 1000)
        {
            throw new TransferInputException($"Batch size {batchSize} is outside 1 to 1000.");
        }

        var options = new VerifyOptions { Namespace = @namespace };
        var diff = await verifier.CompareAsync(new StoreRecordSource(from), new StoreRecordSource(to), options, cancellationToken).ConfigureAwait(false);
        if (dryRun || diff.Report.Clean)
        {
            return new RepairResult(diff.Report, 0, 0, null) { DryRun = dryRun };
        }

        var fromInfo = await from.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var toInfo = await to.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var copyVectors = fromInfo.Space == toInfo.Space;
        long copied = 0;
        long deleted = 0;
        foreach (var (ns, (missing, extra, changed)) in diff.ByNamespace)
        {
            foreach (var chunk in missing.Concat(changed).Chunk(batchSize))
            {
                var records = await from.FetchAsync(new FetchRequest { Ids = chunk, Include = new Include(copyVectors, true, true), Namespace = ns }, cancellationToken).ConfigureAwait(false);
                var present = records.OfType<VectorRecord>().Select(r => copyVectors ? r : r with { Vector = null }).ToList();
                if (present.Count > 0)
                {
                    await to.UpsertAsync(new UpsertRequest(present) { Namespace = ns }, cancellationToken).ConfigureAwait(false);
                    copied += present.Count;
                }
            }

            if (deleteExtra)
            {
                foreach (var chunk in extra.Chunk(batchSize))
                {
                    deleted += await to.DeleteAsync(new DeleteRequest { Ids = chunk, Namespace = ns }, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        TransferLog.Repaired(_logger, from.Name, to.Name, copied, deleted);
        var after = await verifier.VerifyAsync(new StoreRecordSource(from), new StoreRecordSource(to), options, cancellationToken).ConfigureAwait(false);
        return new RepairResult(diff.Report, copied, deleted, after);
    }
}
