using RagFood.Core.Durable;

namespace RagFood.Core.Tests.Durable;

/// <summary>Concurrent writes share a batch and one commit; each caller hears back only after that commit.</summary>
public sealed class GroupCommitterTests
{
    [Fact]
    public async Task Concurrent_writes_share_batches_and_complete_only_after_their_commit()
    {
        var target = new RecordingTarget { CommitDelay = TimeSpan.FromMilliseconds(20) };
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize: 256);

        var writes = Enumerable.Range(0, 64).Select(i => Task.Run(() => committer.SubmitAsync(() => target.Apply(), CancellationToken.None))).ToList();
        var batches = await Task.WhenAll(writes);

        Assert.Equal(64, committer.Writes);
        Assert.True(committer.Batches < 64, $"{committer.Batches} batches for 64 concurrent writes");
        Assert.Equal(committer.Batches, target.Commits);
        // A write returns the number of the batch it ran in; that batch had committed when the caller got it.
        Assert.All(batches, batch => Assert.True(batch < target.Commits + 1 && target.CommittedBatches.Contains(batch)));
    }

    [Fact]
    public async Task A_batch_size_of_one_commits_every_write_on_its_own()
    {
        var target = new RecordingTarget();
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize: 1);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => committer.SubmitAsync(() => target.Apply(), CancellationToken.None))));

        Assert.Equal(20, committer.Batches);
        Assert.Equal(20, target.Commits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task No_write_is_stranded_when_a_batch_holds_fewer_writes_than_are_queued(int maxBatchSize)
    {
        // Callers queue their write and then wait for the gate; under contention the two orders can differ, and a
        // leader whose batch did not include its own write must go on leading, or that write waits forever.
        var target = new RecordingTarget();
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize);

        var writers = Enumerable.Range(0, 48).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await committer.SubmitAsync(() => target.Apply(), CancellationToken.None);
            }
        }));

        // A bound, not a timing: a stranded write never completes.
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(4800, committer.Writes);
        Assert.True(committer.Batches >= 4800 / maxBatchSize);
    }

    [Fact]
    public async Task A_failing_write_fails_alone_and_the_others_of_its_batch_are_rerun_and_committed()
    {
        var target = new RecordingTarget();
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize: 256);

        await gate.WaitAsync();
        var good = committer.SubmitAsync(() => target.Apply(), CancellationToken.None);
        var bad = committer.SubmitAsync<int>(() => throw new ArgumentException("bad record"), CancellationToken.None);
        var alsoGood = committer.SubmitAsync(() => target.Apply(), CancellationToken.None);
        gate.Release();

        var firstBatch = await good;
        var secondBatch = await alsoGood;
        var error = await Assert.ThrowsAsync<ArgumentException>(() => bad);
        Assert.Equal("bad record", error.Message);
        // The shared batch was rolled back; each write then ran in a batch of its own, the good ones committed.
        Assert.True(target.CommittedBatches.Contains(firstBatch) && target.CommittedBatches.Contains(secondBatch));
        Assert.NotEqual(firstBatch, secondBatch);
        Assert.Equal(2, committer.Writes);
        Assert.Equal(2, target.Aborts);
    }

    [Fact]
    public async Task A_failed_commit_fails_every_write_of_the_batch_and_aborts()
    {
        var target = new RecordingTarget { FailCommit = true };
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize: 256);

        await gate.WaitAsync();
        var writes = Enumerable.Range(0, 5).Select(i => committer.SubmitAsync(() => target.Apply(), CancellationToken.None)).ToList();
        gate.Release();

        foreach (var write in writes)
        {
            await Assert.ThrowsAsync<IOException>(() => write);
        }

        Assert.Equal(1, target.Aborts);
        Assert.Equal(0, committer.Writes);
    }

    [Fact]
    public async Task A_write_cancelled_while_queued_never_runs()
    {
        var target = new RecordingTarget();
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(target, gate, maxBatchSize: 256);
        using var cancel = new CancellationTokenSource();

        await gate.WaitAsync();
        var ran = false;
        var write = committer.SubmitAsync(() => ran = true, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        gate.Release();
        await committer.SubmitAsync(() => target.Apply(), CancellationToken.None);

        Assert.False(ran);
        Assert.Equal(1, committer.Writes);
    }

    private sealed class RecordingTarget : IGroupCommitTarget
    {
        private int _batch;

        public TimeSpan CommitDelay { get; init; }

        public bool FailCommit { get; init; }

        public int Commits { get; private set; }

        public int Aborts { get; private set; }

        public HashSet<int> CommittedBatches { get; } = [];

        public int Apply() => _batch;

        public void Begin() => _batch++;

        public void Commit()
        {
            if (CommitDelay > TimeSpan.Zero)
            {
                Thread.Sleep(CommitDelay);
            }

            if (FailCommit)
            {
                throw new IOException("disk full");
            }

            Commits++;
            CommittedBatches.Add(_batch);
        }

        public void Abort() => Aborts++;
    }
}
