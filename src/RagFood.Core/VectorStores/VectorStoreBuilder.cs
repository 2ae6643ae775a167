namespace RagFood.Core.VectorStores;

/// <summary>Composes decorators around a vector store: the first <see cref="Use(Func{IVectorStore, IVectorStore})"/>
/// is the outermost layer.</summary>
/// <remarks>
/// <para>Shaped like Microsoft.Extensions.AI's <c>ChatClientBuilder</c>, so
/// <c>new VectorStoreBuilder(sqlite).Use(s => new LoggingVectorStore(s, log)).UseFallback(chroma).Build()</c>
/// gives logging → fallback → sqlite: a call enters the logging layer first and reaches the SQLite store last.</para>
/// <para><see cref="Build"/> applies the factories innermost first; it may be called more than once and builds a new
/// chain each time (factories run again). A factory that returns <c>null</c> is a programming error and throws.</para>
/// </remarks>
public sealed class VectorStoreBuilder
{
    private readonly Func<IServiceProvider, IVectorStore> _innerStoreFactory;
    private readonly List<Func<IVectorStore, IServiceProvider, IVectorStore>> _factories = [];

    /// <summary>Starts from an existing store.</summary>
    public VectorStoreBuilder(IVectorStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        _innerStoreFactory = _ => innerStore;
    }

    /// <summary>Starts from a store resolved when <see cref="Build"/> runs (e.g. a keyed DI registration).</summary>
    public VectorStoreBuilder(Func<IServiceProvider, IVectorStore> innerStoreFactory)
    {
        ArgumentNullException.ThrowIfNull(innerStoreFactory);
        _innerStoreFactory = innerStoreFactory;
    }

    /// <summary>Adds a layer outside the ones added after it.</summary>
    public VectorStoreBuilder Use(Func<IVectorStore, IVectorStore> storeFactory)
    {
        ArgumentNullException.ThrowIfNull(storeFactory);
        return Use((inner, _) => storeFactory(inner));
    }

    /// <summary>Adds a layer that also needs services (loggers, options, other stores) from the container.</summary>
    public VectorStoreBuilder Use(Func<IVectorStore, IServiceProvider, IVectorStore> storeFactory)
    {
        ArgumentNullException.ThrowIfNull(storeFactory);
        _factories.Add(storeFactory);
        return this;
    }

    /// <summary>Builds the chain and returns its outermost layer.</summary>
    /// <param name="services">Passed to the factories; an empty provider when <c>null</c>.</param>
    public IVectorStore Build(IServiceProvider? services = null)
    {
        services ??= EmptyServiceProvider.Instance;
        var store = _innerStoreFactory(services)
            ?? throw new InvalidOperationException("The inner store factory returned null.");

        // Last added is innermost, so wrap from the end of the list towards its start.
        for (var i = _factories.Count - 1; i >= 0; i--)
        {
            store = _factories[i](store, services)
                ?? throw new InvalidOperationException($"The factory at position {i} returned null instead of a store.");
        }

        return store;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static EmptyServiceProvider Instance { get; } = new();

        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>Builder entry points on <see cref="IVectorStore"/>.</summary>
public static class VectorStoreBuilderExtensions
{
    /// <summary>Starts a <see cref="VectorStoreBuilder"/> over this store.</summary>
    public static VectorStoreBuilder AsBuilder(this IVectorStore innerStore) => new(innerStore);
}
