namespace RagFood.Server.Composition;

/// <summary>Counts the writes running on one composition. Once the composition is replaced the gate is sealed: it
/// admits no more writes, and <see cref="Drained"/> completes when the last one admitted has finished and the gate of
/// the composition before it has drained too (a composition that took no writes still orders those around it).</summary>
/// <remarks>The next composition's writes wait for <see cref="Drained"/>, so a write begun before a swap and one begun
/// after it cannot reach the stores (and their journals) in the opposite order: each composition orders its own writes,
/// but the two have separate locks.</remarks>
internal sealed class CompositionWriteGate
{
    private readonly object _lock = new();
    private readonly TaskCompletionSource _ownDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CompositionWriteGate? _predecessor;
    private int _inFlight;
    private bool _sealed;

    /// <param name="predecessor">The gate of the composition this one replaces; <c>null</c> for the first.</param>
    public CompositionWriteGate(CompositionWriteGate? predecessor = null)
    {
        _predecessor = predecessor;
        PredecessorDrained = predecessor?.Drained ?? Task.CompletedTask;
        Drained = predecessor is null ? _ownDrained.Task : Task.WhenAll(_ownDrained.Task, PredecessorDrained);
    }

    /// <summary>Completes once the gate is sealed, every admitted write has left, and the predecessor has drained.</summary>
    public Task Drained { get; }

    /// <summary>Completes when every write begun on an earlier composition has finished: this gate's writes wait for it.</summary>
    public Task PredecessorDrained { get; }

    /// <summary>Writes still running on earlier compositions (for messages).</summary>
    public int RunningBefore
    {
        get
        {
            var running = 0;
            for (var gate = _predecessor; gate is not null && !gate.Drained.IsCompleted; gate = gate._predecessor)
            {
                running += gate.InFlight;
            }

            return running;
        }
    }

    /// <summary>Writes admitted and not yet finished.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Admits a write, unless the gate is sealed (the caller then takes the newer composition).</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_sealed)
            {
                return false;
            }

            _inFlight++;
            return true;
        }
    }

    /// <summary>A write admitted by <see cref="TryEnter"/> has finished, acknowledged or not.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            _inFlight--;
            if (_sealed && _inFlight == 0)
            {
                _ownDrained.TrySetResult();
            }
        }
    }

    /// <summary>Admits no more writes; <see cref="Drained"/> completes when those running have finished.</summary>
    public CompositionWriteGate SealNow()
    {
        lock (_lock)
        {
            _sealed = true;
            if (_inFlight == 0)
            {
                _ownDrained.TrySetResult();
            }
        }

        return this;
    }
}
