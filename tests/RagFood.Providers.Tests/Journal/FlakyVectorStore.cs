using RagFood.Core.VectorStores;

namespace RagFood.Providers.Tests.Journal;

/// <summary>Wraps a real store and makes its next writes fail as an unreachable server would.</summary>
internal sealed class FlakyVectorStore(IVectorStore inner) : DelegatingVectorStore(inner)
{
    private int _failuresLeft;

    public int FailedWrites { get; private set; }

    public void FailNextWrites(int count) => Volatile.Write(ref _failuresLeft, count);

    public override Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        return base.UpsertAsync(request, cancellationToken);
    }

    public override Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        return base.DeleteAsync(request, cancellationToken);
    }

    private void ThrowIfFailing()
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            FailedWrites++;
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable, $"{Name} is unreachable (simulated)");
        }
    }
}
