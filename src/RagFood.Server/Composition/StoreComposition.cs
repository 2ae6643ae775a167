using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using RagFood.Core.Durable;
using RagFood.Core.VectorStores;

namespace RagFood.Server.Composition;

/// <summary>One built composition: the topology it was built from, the store callers use, and its fallback parts.</summary>
/// <param name="Topology">Provider names and write mode.</param>
/// <param name="Store">The outermost store.</param>
/// <param name="Fallback">The failover/dual-write/replay parts; <c>null</c> without a fallback.</param>
internal sealed record ActiveComposition(VectorStoreTopology Topology, IVectorStore Store, FallbackComposition? Fallback);

/// <summary>The current store composition; swapped when <c>VectorStore:Provider</c>, <c>:Fallback</c> or
/// <c>:WriteMode</c> changes in a reloaded configuration.</summary>
internal interface IStoreComposition
{
    /// <summary>The composition new requests use.</summary>
    ActiveComposition Current { get; }

    /// <summary>Cancelled when <see cref="Current"/> is replaced.</summary>
    CancellationToken Replaced { get; }

    /// <summary>Admits a write to the current composition once the writes begun on the one before it have finished;
    /// dispose the lease when the write has finished.</summary>
    /// <exception cref="VectorStoreException">Writes begun before the last swap did not finish within
    /// <c>VectorStore:SwapDrainTimeout</c> (Unavailable: retry).</exception>
    ValueTask<CompositionWriteLease> EnterWriteAsync(CancellationToken cancellationToken);
}

/// <summary>A write admitted to <see cref="Composition"/>; disposing it lets the next composition's writes start.</summary>
internal sealed class CompositionWriteLease(ActiveComposition composition, CompositionWriteGate gate) : IDisposable
{
    private CompositionWriteGate? _gate = gate;

    /// <summary>The composition the write goes to.</summary>
    public ActiveComposition Composition { get; } = composition;

    public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Exit();
}

/// <summary>Builds the composition from configuration and rebuilds it on reload, refusing an invalid one.</summary>
/// <remarks>
/// <para>A request takes <see cref="Current"/> once, when it starts, so in-flight requests finish on the composition
/// they began on. Journals are per target store and come from one <see cref="IWriteJournalFactory"/>, so a rebuilt
/// composition finds every pending entry (a swap of primary and fallback turns "queued for the fallback" into "queued
/// for the primary", which is what it is). Writes are ordered across a swap: those on the new composition start once
/// those begun on the old one have finished (<see cref="CompositionWriteGate"/>), because each composition's write
/// lock covers only its own writes, and an old write journaling a record for the new primary after a newer write of the
/// same record went there directly would leave the two stores with different versions. Breakers and latency windows live in the shared
/// <see cref="StoreHealthMonitor"/>.</para>
/// <para>Only providers registered at start (named in Provider or Fallback, or listed in <c>VectorStore:Standby</c>)
/// can be swapped to; a configuration naming another is refused with a log line, and the old composition serves on.</para>
/// </remarks>
internal sealed class StoreCompositionHolder : IStoreComposition, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly IConfiguration _configuration;
    private readonly IReadOnlySet<VectorStoreProvider> _registered;
    private readonly StoreHealthMonitor _health;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDisposable _reload;
    private readonly object _gate = new();
    private Current _current;

    public StoreCompositionHolder(
        IServiceProvider services,
        IConfiguration configuration,
        RegisteredProviders registered,
        StoreHealthMonitor health,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        _services = services;
        _configuration = configuration;
        _registered = registered.Providers;
        _health = health;
        _loggers = loggers;
        _time = time;
        _logger = loggers.CreateLogger<StoreCompositionHolder>();
        var (options, policy) = Read();
        _current = new Current(Build(options, policy), new CancellationTokenSource(), new CompositionWriteGate(), options.SwapDrainTimeout);
        _reload = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    ActiveComposition IStoreComposition.Current => Active;

    public ActiveComposition Active => Volatile.Read(ref _current).Composition;

    public CancellationToken Replaced => Volatile.Read(ref _current).Replaced.Token;

    public async ValueTask<CompositionWriteLease> EnterWriteAsync(CancellationToken cancellationToken)
    {
        Current current;
        // A gate is sealed only after its successor is published, so a refused entry finds a newer composition.
        while (!(current = Volatile.Read(ref _current)).Writes.TryEnter())
        {
        }

        var lease = new CompositionWriteLease(current.Composition, current.Writes);
        if (current.Writes.PredecessorDrained.IsCompleted)
        {
            return lease;
        }

        try
        {
            await current.Writes.PredecessorDrained.WaitAsync(current.DrainTimeout, _time, cancellationToken).ConfigureAwait(false);
            return lease;
        }
        catch (TimeoutException ex)
        {
            lease.Dispose();
            var running = current.Writes.RunningBefore;
            CompositionLog.DrainTimedOut(_logger, running, current.DrainTimeout.TotalSeconds);
            throw new VectorStoreException(
                current.Composition.Store.Name,
                VectorStoreErrorKind.Unavailable,
                $"The store composition changed and {running} write(s) begun before the change have not finished within "
                + $"VectorStore:SwapDrainTimeout ({current.DrainTimeout.TotalSeconds:0.#} s); this write was not applied, retry it.",
                ex);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _reload.Dispose();
        _current.Composition.Fallback?.Dispose();
        _current.Replaced.Dispose();
    }

    private (VectorStoreCompositionOptions Options, FallbackVectorStoreOptions Policy) Read()
    {
        var section = _configuration.GetSection(VectorStoreCompositionOptions.SectionName);
        var options = section.Get<VectorStoreCompositionOptions>() ?? new VectorStoreCompositionOptions();
        var policy = section.GetSection("FallbackPolicy").Get<FallbackVectorStoreOptions>() ?? new FallbackVectorStoreOptions();
        policy.WriteMode = options.WriteMode;
        return (options, policy);
    }

    private void Reload()
    {
        VectorStoreCompositionOptions options;
        FallbackVectorStoreOptions policy;
        try
        {
            (options, policy) = Read();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OptionsValidationException)
        {
            CompositionLog.ReloadRefused(_logger, ex.Message);
            return;
        }

        lock (_gate)
        {
            var old = _current.Composition.Topology;
            var wanted = Topology(options);
            if (wanted == old)
            {
                return;
            }

            ActiveComposition built;
            try
            {
                built = Build(options, policy);
            }
            catch (Exception ex) when (ex is OptionsValidationException or ArgumentException or InvalidOperationException)
            {
                CompositionLog.ReloadRefused(_logger, ex is OptionsValidationException v ? string.Join("; ", v.Failures) : ex.Message);
                return;
            }

            var previous = _current;
            Volatile.Write(ref _current, new Current(built, new CancellationTokenSource(), new CompositionWriteGate(previous.Writes), options.SwapDrainTimeout));
            previous.Writes.SealNow();
            previous.Replaced.Cancel();
            CompositionLog.Swapped(_logger, Describe(old), Describe(wanted));
            // The old parts are left to the garbage collector: in-flight requests may still hold them.
            if (built.Fallback is { } fallback)
            {
                _ = VerifySpacesAsync(fallback);
            }
        }
    }

    private async Task VerifySpacesAsync(FallbackComposition fallback)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await fallback.Failover.VerifyEmbeddingSpacesAsync(budget.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is VectorStoreException or OperationCanceledException or HttpRequestException)
        {
            CompositionLog.SpacesUnchecked(_logger, ex.Message);
        }
    }

    private ActiveComposition Build(VectorStoreCompositionOptions options, FallbackVectorStoreOptions policy)
    {
        var validation = new VectorStoreCompositionOptionsValidator().Validate(null, options);
        var policyValidation = new FallbackVectorStoreOptionsValidator().Validate(null, policy);
        var failures = validation.Failed ? validation.Failures.ToList() : [];
        if (policyValidation.Failed)
        {
            failures.AddRange(policyValidation.Failures);
        }

        foreach (var provider in new[] { options.Provider, options.FallbackProvider }.OfType<VectorStoreProvider>())
        {
            if (!_registered.Contains(provider))
            {
                failures.Add($"{provider} was not configured when the server started (name it in VectorStore:Standby to swap to it without a restart).");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(VectorStoreCompositionOptions.SectionName, typeof(VectorStoreCompositionOptions), failures);
        }

        var topology = Topology(options);
        var primary = _services.GetRequiredKeyedService<IVectorStore>(topology.PrimaryName);
        if (topology.FallbackName.Length == 0)
        {
            return new ActiveComposition(topology, primary, null);
        }

        var secondary = _services.GetRequiredKeyedService<IVectorStore>(topology.FallbackName);
        var journals = options.WriteMode == WriteMode.Dual ? _services.GetRequiredService<IWriteJournalFactory>() : null;
        var fallback = FallbackComposition.Create(
            primary,
            secondary,
            policy,
            journals?.For(topology.FallbackName),
            journals?.For(topology.PrimaryName),
            _health,
            _loggers,
            _time);
        return new ActiveComposition(topology, fallback.Store, fallback);
    }

    /// <summary>What new requests use, published and replaced as one.</summary>
    /// <param name="Composition">The stores.</param>
    /// <param name="Replaced">Cancelled when this composition is replaced.</param>
    /// <param name="Writes">Admits this composition's writes once the replaced ones' have finished; sealed when it is replaced.</param>
    /// <param name="DrainTimeout">How long those writes wait (<c>VectorStore:SwapDrainTimeout</c>).</param>
    private sealed record Current(ActiveComposition Composition, CancellationTokenSource Replaced, CompositionWriteGate Writes, TimeSpan DrainTimeout);

    private static VectorStoreTopology Topology(VectorStoreCompositionOptions options) => new(
        VectorStoreTopology.ProviderName(options.Provider),
        options.FallbackProvider is { } f ? VectorStoreTopology.ProviderName(f) : "",
        options.WriteMode);

    private static string Describe(VectorStoreTopology t)
        => $"{t.PrimaryName}" + (t.FallbackName.Length == 0 ? "" : $" → {t.FallbackName}") + $" ({t.WriteMode})";
}

/// <summary>The providers registered at start, the only ones a reload can swap to.</summary>
internal sealed record RegisteredProviders(IReadOnlySet<VectorStoreProvider> Providers);

/// <summary>The unkeyed <see cref="IVectorStore"/>: each call goes to the composition current when it starts; writes
/// through <see cref="IStoreComposition.EnterWriteAsync"/>, so they stay in order across a swap.</summary>
internal sealed class SwitchingVectorStore(IStoreComposition composition) : IVectorStore
{
    public string Name => composition.Current.Store.Name;

    public async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        using var lease = await composition.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        return await lease.Composition.Store.UpsertAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
        => composition.Current.Store.QueryAsync(query, cancellationToken);

    public Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
        => composition.Current.Store.FetchAsync(request, cancellationToken);

    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        using var lease = await composition.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        return await lease.Composition.Store.DeleteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
        => composition.Current.Store.RangeAsync(request, cancellationToken);

    public Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
        => composition.Current.Store.GetInfoAsync(cancellationToken);

    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        using var lease = await composition.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await lease.Composition.Store.ResetAsync(@namespace, all, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => composition.Current.Store.ListNamespacesAsync(cancellationToken);

    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        using var lease = await composition.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        return await lease.Composition.Store.DeleteNamespaceAsync(@namespace, cancellationToken).ConfigureAwait(false);
    }
}
