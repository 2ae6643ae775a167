namespace RagFood.Core.Durable;

/// <summary>What a <see cref="GroupCommitter"/> drives: one batch transaction around many writes.</summary>
/// <remarks>All three run under the committer's gate, one batch at a time, on the caller's thread.</remarks>
public interface IGroupCommitTarget
{
    /// <summary>Starts the batch's transaction.</summary>
    void Begin();

    /// <summary>Makes every write applied since <see cref="Begin"/> durable (the one fsync of the batch).</summary>
    void Commit();

    /// <summary>Undoes the batch after <see cref="Commit"/> (or a write's own undo) failed; must not throw.</summary>
    void Abort();
}

/// <summary>Group commit: concurrent writes share one transaction and one durable commit, and each caller's task
/// completes only after that commit.</summary>
/// <remarks>
/// <para>Leader/follower, no background thread: a caller queues its write and waits for the gate; whoever holds the
/// gate takes every queued write (up to <see cref="MaxBatchSize"/>), begins, applies them in arrival order, commits
/// once, then completes them all, and leads again while its own write is still queued. While one batch commits (an fsync takes milliseconds), the next callers queue up
/// and go together in the next batch, so batches grow with the load and a lone caller pays no extra wait.</para>
/// <para>When a write throws, the batch is aborted and its writes run again one batch each, so the failure stays that
/// write's own and no write builds on another's partial effects; writes must therefore be repeatable (they run against
/// the state the target rolled back to). When the commit fails, every write of the batch fails with that exception
/// and <see cref="IGroupCommitTarget.Abort"/> runs. A write whose caller is cancelled before it was taken
/// is dropped; once taken it runs (and may itself observe the token).</para>
/// <para>The gate is shared with the owner, which can hold it for work outside any batch (opening, disposing).</para>
/// </remarks>
public sealed class GroupCommitter
{
    private readonly Lock _queueLock = new();
    private readonly Queue<Entry> _queue = new();
    private readonly IGroupCommitTarget _target;
    private readonly SemaphoreSlim _gate;

    /// <summary>Creates a committer.</summary>
    /// <param name="target">The transaction the batches run in.</param>
    /// <param name="gate">The owner's write lock (1 slot); held while a batch runs.</param>
    /// <param name="maxBatchSize">At most this many writes per batch; 1 turns group commit off (a transaction and a
    /// durable commit per write).</param>
    public GroupCommitter(IGroupCommitTarget target, SemaphoreSlim gate, int maxBatchSize)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _target = target;
        _gate = gate;
        MaxBatchSize = maxBatchSize;
    }

    /// <summary>Largest number of writes committed together.</summary>
    public int MaxBatchSize { get; }

    /// <summary>Batches committed so far (for tests and metrics).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Writes committed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private long _batches;
    private long _writes;

    /// <summary>Runs <paramref name="write"/> in the next batch and returns its result once the batch is durable.</summary>
    /// <exception cref="OperationCanceledException">Cancelled before the write was taken into a batch.</exception>
    public async Task<T> SubmitAsync<T>(Func<T> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        using var entry = new Entry<T>(write);
        lock (_queueLock)
        {
            _queue.Enqueue(entry);
        }

        // Wait for the gate, or for a batch led by someone else to finish this write (then there is nothing to lead).
        using (cancellationToken.Register(static e => ((Entry)e!).Wake(), entry))
        {
            try
            {
                await _gate.WaitAsync(entry.Woken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (!entry.Completion.Task.IsCompleted && entry.TryAbandon())
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                // Taken by a batch: its outcome is the answer.
                return await entry.Completion.Task.ConfigureAwait(false);
            }
        }

        try
        {
            // Lead until this caller's own write is done. A batch takes the oldest queued writes, which need not
            // include this one (more than MaxBatchSize queued, or callers that queued in one order and reached the
            // gate in another); leaving then could strand it, with no caller left waiting for the gate to run it.
            while (!entry.Completion.Task.IsCompleted && RunBatch() > 0)
            {
            }
        }
        finally
        {
            _gate.Release();
        }

        return await entry.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Takes up to <see cref="MaxBatchSize"/> queued writes and commits them; returns how many it took.</summary>
    private int RunBatch()
    {
        var batch = new List<Entry>();
        lock (_queueLock)
        {
            while (batch.Count < MaxBatchSize && _queue.TryDequeue(out var next))
            {
                if (next.TryTake())
                {
                    batch.Add(next);
                }
            }
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        if (!TryCommit(batch) && batch.Count > 1)
        {
            // One write failed: the batch was rolled back whole, and each write runs again in a batch of its own, so
            // the failure stays that write's own and the writes after it never saw its partial effects.
            foreach (var entry in batch)
            {
                entry.Reset();
                TryCommit([entry]);
            }
        }

        return batch.Count;
    }

    /// <summary>Begins, applies every write, and commits. False when a write failed (the batch is then aborted and,
    /// for a lone write, that write fails); a failed begin or commit fails every write of the batch.</summary>
    private bool TryCommit(List<Entry> batch)
    {
        try
        {
            _target.Begin();
        }
        catch (Exception ex)
        {
            batch.ForEach(e => e.Fail(ex));
            return true;
        }

        foreach (var entry in batch)
        {
            if (!entry.Apply())
            {
                _target.Abort();
                if (batch.Count == 1)
                {
                    entry.Complete();
                }

                return false;
            }
        }

        try
        {
            _target.Commit();
        }
        catch (Exception ex)
        {
            _target.Abort();
            batch.ForEach(e => e.Fail(ex));
            return true;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _writes, batch.Count);
        batch.ForEach(e => e.Complete());
        return true;
    }

    private abstract class Entry : IDisposable
    {
        private readonly CancellationTokenSource _wake = new();
        private int _state; // 0 queued, 1 taken by a batch, 2 abandoned by its caller

        /// <summary>Cancelled when the write is finished (or its caller gave up): ends the caller's wait for the gate.</summary>
        public CancellationToken Woken => _wake.Token;

        public void Wake() => _wake.Cancel();

        public void Dispose() => _wake.Dispose();

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

        /// <summary>Runs the write inside the batch; false when it threw (the exception is kept for this entry).</summary>
        public abstract bool Apply();

        /// <summary>Forgets the outcome of an <see cref="Apply"/> whose batch was rolled back.</summary>
        public abstract void Reset();

        /// <summary>The batch is durable: hand over the write's own outcome.</summary>
        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class Entry<T>(Func<T> write) : Entry
    {
        private T? _result;
        private Exception? _error;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool Apply()
        {
            try
            {
                _result = write();
                return true;
            }
            catch (Exception ex)
            {
                _error = ex;
                return false;
            }
        }

        public override void Reset()
        {
            _result = default;
            _error = null;
        }

        public override void Complete()
        {
            if (_error is null)
            {
                // Wake first: once the result is set the caller may return and dispose this entry.
                Wake();
                Completion.TrySetResult(_result!);
            }
            else
            {
                Fail(_error);
            }
        }

        public override void Fail(Exception exception)
        {
            Wake();
            if (exception is OperationCanceledException cancelled)
            {
                Completion.TrySetCanceled(cancelled.CancellationToken);
            }
            else
            {
                Completion.TrySetException(exception);
            }
        }
    }
}
