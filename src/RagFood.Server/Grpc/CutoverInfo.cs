using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Health;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Grpc;

/// <summary>Adds the journals and per-store health to an Info answer, from state the store parts keep (the journals
/// are read fresh from the local side file; no store is called).</summary>
internal sealed class CutoverInfo(IStoreComposition composition, IStoreHealthMonitor health, StoreHealthEvaluator evaluator, TimeProvider time)
{
    public async Task FillAsync(V1.InfoResponse response, CancellationToken cancellationToken)
    {
        var current = composition.Current;
        var journals = current.Fallback?.Replayer is { } replayer
            ? await replayer.RefreshAsync(cancellationToken).ConfigureAwait(false)
            : [];
        var now = time.GetUtcNow();
        foreach (var journal in journals)
        {
            var info = new V1.JournalInfo
            {
                Target = journal.Target,
                Pending = journal.Pending,
                Parked = journal.Parked,
                OldestPendingSeconds = journal.OldestPendingAt is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0,
                LastError = journal.LastError ?? "",
            };
            info.ParkedEntries.AddRange(journal.ParkedEntries.Select(p => new V1.ParkedEntry
            {
                Sequence = p.Sequence,
                Operation = p.Operation,
                Namespace = p.Namespace,
                Reason = p.Reason,
            }));
            response.Journals.Add(info);
        }

        var snapshots = health.Snapshot();
        var names = current.Topology.FallbackName.Length == 0 ? [current.Topology.PrimaryName] : new[] { current.Topology.PrimaryName, current.Topology.FallbackName };
        foreach (var name in names)
        {
            var (canServe, detail) = evaluator.Store(name);
            var snapshot = snapshots.FirstOrDefault(s => s.Store == name);
            response.Stores.Add(new V1.StoreHealth
            {
                Name = name,
                Status = canServe ? "SERVING" : "NOT_SERVING",
                BreakerOpen = snapshot?.Breaker == BreakerState.Open,
                Detail = detail,
                HedgeDelayMs = snapshot?.HedgeDelay.TotalMilliseconds ?? 0,
            });
        }
    }
}
