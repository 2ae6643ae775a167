using System.Runtime.CompilerServices;
using RagFood.Core.VectorStores;

namespace RagFood.Transfer;

/// <summary>Reads one item ahead, so the source's next page is fetched while the current one is being written.</summary>
internal static class Lookahead
{
    public static async IAsyncEnumerable<T> WithLookaheadAsync<T>(this IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        try
        {
            pending = enumerator.MoveNextAsync().AsTask();
            while (await pending.ConfigureAwait(false))
            {
                var current = enumerator.Current;
                pending = enumerator.MoveNextAsync().AsTask();
                yield return current;
            }

            pending = null;
        }
        finally
        {
            if (pending is not null)
            {
                try
                {
                    // The consumer stopped early (a pause, a failure): let the read in flight end before the reader is disposed.
                    await pending.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or VectorStoreException or IOException or ArgumentException)
                {
                    // That read's result is not used; the consumer's own outcome is what the caller sees.
                }
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
