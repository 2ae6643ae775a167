using RagFood.Core.VectorStores;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer;

/// <summary>How records are carried over.</summary>
public enum TransferMode
{
    /// <summary>Re-embed in (or for) the target from the record text (enriched by the corpus join when given).</summary>
    Text,

    /// <summary>Copy the stored vectors; only between the same embedding space (model and dimension).</summary>
    Vectors,

    /// <summary>Vectors when the source's are readable and the spaces agree, text otherwise (exports).</summary>
    Auto,
}

/// <summary>What to migrate, from where to where, and how.</summary>
public sealed record MigrationPlan(IRecordSource Source, IRecordSink Target)
{
    public TransferMode Mode { get; init; } = TransferMode.Text;

    /// <summary>Records per target write; at most the target's limit.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>One namespace, or null for every namespace of the source.</summary>
    public string? Namespace { get; init; }

    public CorpusJoin? Corpus { get; init; }

    /// <summary>Read and compare, write nothing, keep no checkpoint.</summary>
    public bool DryRun { get; init; }

    /// <summary>Continue after the job's last checkpoint instead of starting again.</summary>
    public bool Resume { get; init; }

    /// <summary>Fetch the target's copies first and leave unchanged records alone (content hash, and vectors in vectors mode).</summary>
    public bool SkipUnchanged { get; init; } = true;

    /// <summary>The source's embedding space when the source does not record it (a legacy chroma_db: the model it was written with).</summary>
    public EmbeddingSpace? SourceSpace { get; init; }

    /// <summary>The job's checkpoint key; derived from the plan when null.</summary>
    public string? Job { get; init; }

    /// <summary>The key a plan's checkpoints are stored under: same source, target, mode, namespace and corpus → same job.</summary>
    public string JobKey => Job ?? string.Join('|', "migrate", Source.Name, Target.Name, Mode.ToString(), Namespace ?? "*", Corpus?.Path ?? "");
}

/// <summary>A record that could not be copied, and why.</summary>
public sealed record RefusedRecord(string Namespace, string Id, string Reason);

public enum MigrationEventKind
{
    Started,
    Progress,
    Paused,
    Completed,
}

public enum MigrationStatus
{
    Running,
    Completed,
    Paused,
}

/// <summary>Progress of a run; one event per batch, a final event with the summary.</summary>
public sealed record MigrationEvent(MigrationEventKind Kind, string Job)
{
    public string Namespace { get; init; } = "";
    public long Total { get; init; }
    public long Read { get; init; }
    public long Written { get; init; }
    public long Skipped { get; init; }
    public long Refused { get; init; }

    /// <summary>Records refused in this batch (all runs' refusals are in the summary).</summary>
    public IReadOnlyList<RefusedRecord> RefusedRecords { get; init; } = [];

    /// <summary>Records read per second in this run.</summary>
    public double RecordsPerSecond { get; init; }

    /// <summary>Estimated time to the end, when it can be estimated.</summary>
    public TimeSpan? Eta { get; init; }

    /// <summary>Why the run paused, or a note about the run.</summary>
    public string? Message { get; init; }

    /// <summary>On the last event.</summary>
    public MigrationSummary? Summary { get; init; }
}

/// <summary>What a run did.</summary>
public sealed record MigrationSummary(string Job, MigrationStatus Status, TransferMode Mode, string Source, string Target)
{
    public long Read { get; init; }
    public long Written { get; init; }
    public long Skipped { get; init; }
    public long Refused { get; init; }
    public bool DryRun { get; init; }
    public bool Resumed { get; init; }
    public TimeSpan Elapsed { get; init; }
    public IReadOnlyList<RefusedRecord> RefusedRecords { get; init; } = [];

    /// <summary>With a corpus join: source ids the corpus lacks (copied as they were).</summary>
    public IReadOnlyList<string> SourceOnlyIds { get; init; } = [];

    /// <summary>With a corpus join: corpus ids the source lacks (not written).</summary>
    public IReadOnlyList<string> CorpusOnlyIds { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    public string? Message { get; init; }

    /// <summary>The store calls of this run's pages; in a dry run, the calls the real run would make.</summary>
    public TransferCalls Calls { get; init; } = new(0, 0, 0);
}

/// <summary>Store calls of a run, one per page: for quota estimates (a store bills each request).</summary>
/// <param name="SourcePages">Pages read from the source (one range call each when the source is a store).</param>
/// <param name="TargetFetches">Fetches of the target's copies, to leave unchanged records alone (reads).</param>
/// <param name="TargetWrites">Batches written to the target (one upsert each; records retried one by one after a
/// rejected batch are not counted).</param>
public sealed record TransferCalls(long SourcePages, long TargetFetches, long TargetWrites);
