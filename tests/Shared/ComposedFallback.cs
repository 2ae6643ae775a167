using RagFood.Core.VectorStores;

namespace RagFood.Tests.Shared;

/// <summary>A primary and its fallback composed from the three parts (<see cref="FallbackComposition"/>), with the
/// replayer's operations beside the store's, so a test drives writes, reads and replay through one object.</summary>
internal sealed class ComposedFallback : DelegatingVectorStore, IDisposable
{
    public ComposedFallback(
        IVectorStore primary,
        IVectorStore secondary,
        FallbackVectorStoreOptions? options = null,
        IWriteJournal? journal = null,
        IWriteJournal? primaryJournal = null,
        TimeProvider? timeProvider = null)
        : this(FallbackComposition.Create(primary, secondary, options, journal, primaryJournal, timeProvider: timeProvider))
    {
    }

    private ComposedFallback(FallbackComposition composition)
        : base(composition.Store)
        => Composition = composition;

    public FallbackComposition Composition { get; }

    public Task VerifyEmbeddingSpacesAsync(CancellationToken cancellationToken = default)
        => Composition.Failover.VerifyEmbeddingSpacesAsync(cancellationToken);

    public Task<int> ReplayPendingAsync(CancellationToken cancellationToken = default)
        => Composition.Replayer?.ReplayPendingAsync(cancellationToken) ?? Task.FromResult(0);

    public Task RunReplayLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
        => Composition.Replayer!.RunAsync(interval, cancellationToken);

    /// <summary>Pending and parked entries over all targets, and the first target's last replay error.</summary>
    public async Task<(long Pending, long Parked, string? LastError, DateTimeOffset? LastErrorAt)> GetReplayStatusAsync(CancellationToken cancellationToken = default)
    {
        if (Composition.Replayer is not { } replayer)
        {
            return (0, 0, null, null);
        }

        var statuses = await replayer.RefreshAsync(cancellationToken);
        var failed = statuses.FirstOrDefault(s => s.LastError is not null);
        return (statuses.Sum(s => s.Pending), statuses.Sum(s => s.Parked), failed?.LastError, failed?.LastErrorAt);
    }

    public async Task<long> GetPendingWriteCountAsync(CancellationToken cancellationToken = default)
        => (await GetReplayStatusAsync(cancellationToken)).Pending;

    public void Dispose() => Composition.Dispose();
}
