namespace RagFood.Server.Ingestion;

/// <summary>Where the start-up ingestion is.</summary>
internal enum IngestionState
{
    Pending,
    Running,
    Completed,
    Skipped,
    Failed,
}

/// <summary>Shared, thread-safe view of the start-up ingestion, read by the health check.</summary>
internal sealed class IngestionStatus
{
    private readonly object _gate = new();
    private IngestionState _state = IngestionState.Pending;
    private string _detail = "waiting to start";
    private IngestOutcome? _outcome;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IngestionState State { get { lock (_gate) { return _state; } } }

    public string Detail { get { lock (_gate) { return _detail; } } }

    /// <summary>The outcome of a completed ingestion.</summary>
    public IngestOutcome? Outcome { get { lock (_gate) { return _outcome; } } }

    /// <summary>True once the ingestion is no longer pending or running.</summary>
    public bool IsFinished => State is IngestionState.Completed or IngestionState.Skipped or IngestionState.Failed;

    /// <summary>Completes when the ingestion finishes, whatever the result.</summary>
    public Task Finished => _finished.Task;

    public void Set(IngestionState state, string detail, IngestOutcome? outcome = null)
    {
        lock (_gate)
        {
            _state = state;
            _detail = detail;
            _outcome = outcome ?? _outcome;
        }

        if (state is IngestionState.Completed or IngestionState.Skipped or IngestionState.Failed)
        {
            _finished.TrySetResult();
        }
    }
}
