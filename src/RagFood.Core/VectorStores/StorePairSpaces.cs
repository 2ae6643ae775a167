namespace RagFood.Core.VectorStores;

/// <summary>The embedding spaces of a primary and its fallback, learnt once and shared by the failover decorator and
/// the journal replayer, and the one place that decides whether two spaces are the same.</summary>
/// <remarks>Thread-safe. A space is learnt from an Info answer of that very store (never from a same-named other).</remarks>
public sealed class StorePairSpaces(IVectorStore primary, IVectorStore secondary)
{
    private EmbeddingSpace? _primary;
    private EmbeddingSpace? _secondary;

    /// <summary>The primary store.</summary>
    public IVectorStore Primary { get; } = primary ?? throw new ArgumentNullException(nameof(primary));

    /// <summary>The fallback store.</summary>
    public IVectorStore Secondary { get; } = secondary ?? throw new ArgumentNullException(nameof(secondary));

    /// <summary>The primary's space, if learnt.</summary>
    public EmbeddingSpace? PrimarySpace => Volatile.Read(ref _primary);

    /// <summary>The fallback's space, if learnt.</summary>
    public EmbeddingSpace? SecondarySpace => Volatile.Read(ref _secondary);

    /// <summary>True when both spaces are known and the same.</summary>
    public bool KnownSame => PrimarySpace is { } p && SecondarySpace is { } s && Same(p, s);

    /// <summary>Remembers the space <paramref name="store"/> (one of the pair, by reference) reported.</summary>
    public void Learn(IVectorStore store, EmbeddingSpace space)
    {
        if (ReferenceEquals(store, Primary))
        {
            Volatile.Write(ref _primary, space);
        }
        else if (ReferenceEquals(store, Secondary))
        {
            Volatile.Write(ref _secondary, space);
        }
    }

    /// <summary>The space of <paramref name="store"/>, asking it when not yet known.</summary>
    public async Task<EmbeddingSpace> GetAsync(IVectorStore store, CancellationToken cancellationToken)
    {
        var known = ReferenceEquals(store, Primary) ? PrimarySpace : SecondarySpace;
        if (known is not null)
        {
            return known;
        }

        var space = (await store.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
        Learn(store, space);
        return space;
    }

    /// <summary>Asks both stores now (refreshing what is known) and throws when they disagree.</summary>
    /// <exception cref="EmbeddingSpaceMismatchException">The stores are in different embedding spaces.</exception>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        var primary = (await Primary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
        Learn(Primary, primary);
        var secondary = (await Secondary.GetInfoAsync(cancellationToken).ConfigureAwait(false)).Space;
        Learn(Secondary, secondary);
        ThrowIfDifferent(primary, secondary, "Fallback and dual writes between them are refused.");
    }

    /// <summary>Before <paramref name="second"/> answers in place of <paramref name="first"/>: learns both spaces (asking
    /// the stores when not known) and throws when they differ or the first one's cannot be learnt.</summary>
    /// <param name="operation">The read, for messages.</param>
    /// <param name="first">The store that failed.</param>
    /// <param name="second">The store that would answer instead.</param>
    /// <param name="firstError">Why <paramref name="first"/> failed.</param>
    /// <param name="secondFailed">Makes the error to throw when <paramref name="second"/> cannot report its space.</param>
    /// <param name="unknownSpace">Called (to log) before the refusal when the first store's space cannot be learnt.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="EmbeddingSpaceMismatchException">The spaces differ.</exception>
    /// <exception cref="VectorStoreException">A space could not be learnt ("not known yet").</exception>
    internal async Task EnsureSameForFallbackAsync(
        string operation,
        IVectorStore first,
        IVectorStore second,
        Exception firstError,
        Func<Exception, Exception> secondFailed,
        Action unknownSpace,
        CancellationToken cancellationToken)
    {
        EmbeddingSpace firstSpace;
        try
        {
            firstSpace = await GetAsync(first, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (StoreFailures.IsTransient(ex) || ex is VectorStoreException))
        {
            unknownSpace();
            throw new VectorStoreException(
                first.Name,
                StoreFailures.KindOf(firstError),
                $"{operation} failed on '{first.Name}' ({StoreFailures.Describe(firstError)}); fallback to '{second.Name}' was refused "
                + $"because the embedding space of '{first.Name}' is not known yet, so the two cannot be checked to agree.",
                new AggregateException(firstError, ex));
        }

        EmbeddingSpace secondSpace;
        try
        {
            secondSpace = await GetAsync(second, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw secondFailed(ex);
        }

        var (primarySpace, secondarySpace) = ReferenceEquals(first, Primary) ? (firstSpace, secondSpace) : (secondSpace, firstSpace);
        ThrowIfDifferent(primarySpace, secondarySpace, $"{operation} failed on '{first.Name}' ({StoreFailures.Describe(firstError)}).");
    }

    /// <summary>Throws the mismatch naming both models when the spaces differ.</summary>
    public void ThrowIfDifferent(EmbeddingSpace primary, EmbeddingSpace secondary, string detail)
    {
        if (!Same(primary, secondary))
        {
            throw new EmbeddingSpaceMismatchException(Secondary.Name, primary, secondary,
                $"Refusing to use '{Secondary.Name}' (model {secondary.Model}) in place of '{Primary.Name}' (model {primary.Model}): "
                + $"vectors and scores from different models are not comparable. {detail}");
        }
    }

    /// <summary>"Same embedding space" for the failover, dual-write and replay parts: the provider kernel's one rule.</summary>
    private static bool Same(EmbeddingSpace a, EmbeddingSpace b) => Kernel.EmbeddingSpaceRule.AreSame(a, b);
}

/// <summary>How the failover, dual-write and replay parts classify and describe store failures.</summary>
internal static class StoreFailures
{
    /// <summary>True when another store (or a later attempt) may succeed: not the request's fault.</summary>
    /// <remarks>Callers check the caller's own cancellation first; a cancellation seen here came from inside.</remarks>
    public static bool IsTransient(Exception error) => error switch
    {
        ArgumentException => false,
        VectorStoreException storeError => storeError.IsTransient,
        HttpRequestException or TimeoutException => true,
        OperationCanceledException => true,
        _ => false,
    };

    public static VectorStoreErrorKind KindOf(Exception error) => error switch
    {
        VectorStoreException storeError => storeError.Kind,
        TimeoutException or OperationCanceledException => VectorStoreErrorKind.Timeout,
        _ => VectorStoreErrorKind.Unavailable,
    };

    /// <summary>One line, no stack trace: what operators read in logs and responses.</summary>
    public static string Describe(Exception error) => error switch
    {
        VectorStoreException storeError => $"{storeError.Kind}: {storeError.Message}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };
}
