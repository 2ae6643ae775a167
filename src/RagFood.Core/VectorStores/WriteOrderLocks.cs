namespace RagFood.Core.VectorStores;

/// <summary>Serialises writes that touch the same records and lets the others run side by side: record ids (with their
/// namespace) hash to one of a fixed set of stripes, a write holds the stripes of its ids, and a write that cannot name
/// its records (delete by prefix or filter, reset, namespace deletion) holds them all.</summary>
/// <remarks>
/// <para>Two writes that share a record therefore never overlap, so whatever order they reach one store in is the
/// order they are journaled for the other; writes on disjoint records commute, so their order does not matter. Stripes
/// are always taken in ascending order, which rules out deadlock between writes holding several.</para>
/// <para>Unrelated ids may share a stripe (then they wait for each other, which is harmless).</para>
/// </remarks>
internal sealed class WriteOrderLocks : IDisposable
{
    private readonly SemaphoreSlim[] _stripes;
    private readonly int[] _all;

    /// <param name="stripes">How many stripes (a power of two).</param>
    public WriteOrderLocks(int stripes = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stripes, 1);
        if ((stripes & (stripes - 1)) != 0)
        {
            throw new ArgumentException("The stripe count must be a power of two.", nameof(stripes));
        }

        _stripes = new SemaphoreSlim[stripes];
        for (var i = 0; i < stripes; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }

        _all = [.. Enumerable.Range(0, stripes)];
    }

    /// <summary>Waits for the stripes of <paramref name="ids"/> in <paramref name="namespace"/>, or for every stripe
    /// when <paramref name="ids"/> is null; disposing the result releases them.</summary>
    public async Task<Held> EnterAsync(string @namespace, IEnumerable<string>? ids, CancellationToken cancellationToken)
    {
        var stripes = ids is null ? _all : StripesOf(@namespace, ids);
        var taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++)
            {
                await _stripes[stripes[taken]].WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Release(stripes, taken);
            throw;
        }

        return new Held(this, stripes);
    }

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private int[] StripesOf(string @namespace, IEnumerable<string> ids)
    {
        var mask = _stripes.Length - 1;
        var set = new SortedSet<int>();
        foreach (var id in ids)
        {
            set.Add(HashCode.Combine(StringComparer.Ordinal.GetHashCode(@namespace), StringComparer.Ordinal.GetHashCode(id)) & mask);
        }

        return [.. set];
    }

    private void Release(int[] stripes, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            _stripes[stripes[i]].Release();
        }
    }

    /// <summary>Stripes held by one write.</summary>
    public readonly struct Held(WriteOrderLocks owner, int[] stripes) : IDisposable
    {
        public void Dispose() => owner?.Release(stripes, stripes.Length);
    }
}
