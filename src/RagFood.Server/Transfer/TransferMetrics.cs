using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RagFood.Core.Telemetry;
using RagFood.Transfer;

namespace RagFood.Server.Transfer;

/// <summary>Migration, export and restore progress on the <c>RagFood</c> meter.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>ragfood.transfer.records</c> (counter): records read, written, skipped (unchanged) and refused, as each batch
/// is acknowledged; tags <c>ragfood.transfer.kind</c> (migrate, export, restore), <c>ragfood.source</c>,
/// <c>ragfood.target</c>, <c>ragfood.outcome</c>.</item>
/// <item><c>ragfood.transfer.progress</c> (gauge, 0 to 1): records read over records to read, of the latest run per kind,
/// source and target (kept after the run ends: 1 when it completed, less when it paused or failed).</item>
/// </list>
/// Dry runs write nothing and are not measured.
/// </remarks>
internal sealed class TransferMetrics
{
    private readonly RagFoodMetrics _metrics;
    private readonly ConcurrentDictionary<(string Kind, string Source, string Target), double> _progress = new();

    public TransferMetrics(RagFoodMetrics metrics)
    {
        _metrics = metrics;
        metrics.Meter.CreateObservableGauge("ragfood.transfer.progress", () => _progress.Select(p => new Measurement<double>(
            p.Value,
            new("ragfood.transfer.kind", p.Key.Kind),
            new("ragfood.source", p.Key.Source),
            new("ragfood.target", p.Key.Target))), "1", "Records read over records to read, of the latest transfer per kind, source and target.");
    }

    /// <summary>Follows one run's events; null for a dry run.</summary>
    public Run? Start(MigrationPlan plan, string kind) => plan.DryRun ? null : new Run(this, kind, plan.Source.Name, plan.Target.Name);

    /// <summary>One run: turns its cumulative counts into counter increments.</summary>
    internal sealed class Run(TransferMetrics owner, string kind, string source, string target)
    {
        private long _read;
        private long _written;
        private long _skipped;
        private long _refused;

        public void Observe(MigrationEvent e)
        {
            if (e.Kind == MigrationEventKind.Started)
            {
                // Counts carried over from earlier runs of a resumed job were measured by those runs.
                (_read, _written, _skipped, _refused) = (e.Read, e.Written, e.Skipped, e.Refused);
            }
            else
            {
                Add("read", e.Read, ref _read);
                Add("written", e.Written, ref _written);
                Add("skipped", e.Skipped, ref _skipped);
                Add("refused", e.Refused, ref _refused);
            }

            owner._progress[(kind, source, target)] = e.Total > 0 ? Math.Min(1, (double)e.Read / e.Total) : e.Kind == MigrationEventKind.Completed ? 1 : 0;
        }

        private void Add(string outcome, long total, ref long seen)
        {
            if (total > seen)
            {
                owner._metrics.TransferRecords.Add(total - seen,
                    new("ragfood.transfer.kind", kind), new("ragfood.source", source), new("ragfood.target", target), new("ragfood.outcome", outcome));
                seen = total;
            }
        }
    }
}
