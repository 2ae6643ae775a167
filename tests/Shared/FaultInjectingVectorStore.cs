using RagFood.Core.VectorStores;

namespace RagFood.Tests.Shared;

/// <summary>The one fault-injecting store double of the test projects (linked from tests/Shared): an in-memory store,
/// or a wrapper around a real one, that can be told to fail — always, the next N times, or only some operations — or
/// to hang, and that records every call.</summary>
/// <remarks>
/// <para>In-memory (<c>new FaultInjectingVectorStore(name)</c>): not a store to test; queries ignore filters and score
/// by position, which is all a decorator can see. Wrapping (<see cref="Wrap"/>): every operation that is not faulted
/// is forwarded to the inner store, so a real store (SQLite, Chroma, the emulator) fails on cue.</para>
/// <para>Operation names: Upsert, Query, Fetch, Delete, Range, Info, Reset, ListNamespaces, DeleteNamespace.</para>
/// </remarks>
internal sealed class FaultInjectingVectorStore(string name, string model = "test-embed", int dimension = 3) : IVectorStore
{
    private static readonly string[] WriteOperations = ["Upsert", "Delete"];
    private IVectorStore? _inner;
    private int _injected;
    private Exception? _failure;
    private int? _writeOnlyFirst;

    private readonly object _gate = new();
    private readonly Dictionary<string, List<VectorRecord>> _namespaces = new(StringComparer.Ordinal) { [""] = [] };
    private readonly List<string> _calls = [];
    private Func<string, Exception?>? _fault;
    private int _faultsLeft = int.MaxValue;
    private bool _hang;
    private bool _hangIgnoringToken;

    public string Name { get; } = name;

    public string Model { get; set; } = model;

    public int Dimension { get; set; } = dimension;

    /// <summary>Operations called so far ("Query", "Upsert", "Info", ...), faulted ones included.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public int CallCount(string operation) => Calls.Count(c => c == operation);

    /// <summary>A double that forwards to <paramref name="inner"/> unless told to fail; named <paramref name="name"/>
    /// (default: the inner store's name).</summary>
    public static FaultInjectingVectorStore Wrap(IVectorStore inner, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new FaultInjectingVectorStore(name ?? inner.Name) { _inner = inner };
    }

    /// <summary>How many faults were injected so far.</summary>
    public int InjectedFaults => Volatile.Read(ref _injected);

    /// <summary>What every operation throws while set; <c>null</c> forwards again.</summary>
    public Exception? Failure
    {
        get => _failure;
        set
        {
            _failure = value;
            if (value is null)
            {
                Heal();
            }
            else
            {
                Fail(() => value);
            }
        }
    }

    /// <summary>From now on an upsert writes only its first <paramref name="count"/> records, then fails as a multi-batch
    /// upsert that broke part way does: Unavailable, with <see cref="VectorStoreException.WrittenIds"/> set.</summary>
    public FaultInjectingVectorStore WriteOnlyFirst(int count)
    {
        _writeOnlyFirst = count;
        return this;
    }

    /// <summary>The next <paramref name="count"/> writes (upserts and deletes) fail as an unreachable server would.</summary>
    public FaultInjectingVectorStore FailNextWrites(int count) =>
        count <= 0 ? Heal() : FailTransiently(VectorStoreErrorKind.Unavailable, count, WriteOperations);

    /// <summary>Every operation throws what <paramref name="error"/> makes, optionally only the next <paramref name="times"/>.</summary>
    public FaultInjectingVectorStore Fail(Func<Exception> error, int times = int.MaxValue, params string[] operations)
    {
        lock (_gate)
        {
            _fault = op => operations.Length == 0 || operations.Contains(op) ? error() : null;
            _faultsLeft = times;
        }

        return this;
    }

    public FaultInjectingVectorStore FailTransiently(VectorStoreErrorKind kind = VectorStoreErrorKind.Unavailable, int times = int.MaxValue, params string[] operations)
        => Fail(() => new VectorStoreException(Name, kind, $"{Name} is {kind} (simulated)"), times, operations);

    /// <summary>Every operation waits until its token is cancelled (or forever, when told to ignore it).</summary>
    public FaultInjectingVectorStore Hang(bool ignoreToken = false)
    {
        lock (_gate)
        {
            _hang = true;
            _hangIgnoringToken = ignoreToken;
        }

        return this;
    }

    public FaultInjectingVectorStore Heal()
    {
        lock (_gate)
        {
            _fault = null;
            _hang = false;
        }

        return this;
    }

    /// <summary>Every record, namespace by namespace, for comparing two stores (in-memory doubles only).</summary>
    public string Snapshot()
    {
        if (_inner is not null)
        {
            throw new InvalidOperationException("Snapshot reads the in-memory records; a wrapping double has none.");
        }

        lock (_gate)
        {
            return string.Join("\n", _namespaces.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n =>
                $"[{n.Key}] " + string.Join(", ", n.Value.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r =>
                    $"{r.Id}:{r.Text}:{(r.Vector is null ? "-" : string.Join('/', r.Vector))}:{r.Metadata?.GetRawText()}"))));
        }
    }

    public async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Upsert", cancellationToken);
        if (_writeOnlyFirst is { } first && request.Records.Count > first)
        {
            var written = request.Records.Take(first).ToList();
            await UpsertAsync(request with { Records = written }, cancellationToken);
            Interlocked.Increment(ref _injected);
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable, "the second batch failed (simulated)")
            {
                WrittenIds = [.. written.Select(r => r.Id)],
            };
        }

        if (_inner is not null)
        {
            return await _inner.UpsertAsync(request, cancellationToken);
        }

        foreach (var record in request.Records)
        {
            if (record.Text is null && record.Vector is null)
            {
                throw new ArgumentException($"Record '{record.Id}' has neither text nor vector.", nameof(request));
            }

            if (record.Vector is { } vector && vector.Length != Dimension)
            {
                throw new VectorStoreException(Name, VectorStoreErrorKind.InvalidRequest, $"Vector of '{record.Id}' has {vector.Length} dimensions, expected {Dimension}.");
            }
        }

        lock (_gate)
        {
            var records = Namespace(request.Namespace, create: true)!;
            foreach (var record in request.Records)
            {
                records.RemoveAll(r => r.Id == record.Id);
                records.Add(record);
            }
        }

        return new UpsertResult(request.Records.Count) { WrittenIds = [.. request.Records.Select(r => r.Id)] };
    }

    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Query", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.QueryAsync(query, cancellationToken);
        }

        lock (_gate)
        {
            var records = Namespace(query.Namespace, create: false) ?? [];
            return [.. records.Take(query.TopK).Select((r, i) => new ScoredRecord(r.Id, 1f / (i + 1)) { Text = r.Text, Metadata = r.Metadata })];
        }
    }

    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Fetch", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.FetchAsync(request, cancellationToken);
        }

        lock (_gate)
        {
            var records = Namespace(request.Namespace, create: false) ?? [];
            return request.Ids is { } ids
                ? [.. ids.Select(id => records.FirstOrDefault(r => r.Id == id))]
                : [.. records.Where(r => r.Id.StartsWith(request.Prefix ?? "", StringComparison.Ordinal))];
        }
    }

    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Delete", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.DeleteAsync(request, cancellationToken);
        }

        if (request.Filter is not null)
        {
            throw new ArgumentException("The fake store does not evaluate filters.", nameof(request));
        }

        lock (_gate)
        {
            var records = Namespace(request.Namespace, create: false);
            if (records is null)
            {
                return 0;
            }

            return request.Ids is { } ids
                ? records.RemoveAll(r => ids.Contains(r.Id))
                : records.RemoveAll(r => r.Id.StartsWith(request.Prefix ?? "", StringComparison.Ordinal));
        }
    }

    public async Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Range", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.RangeAsync(request, cancellationToken);
        }

        lock (_gate)
        {
            var records = Namespace(request.Namespace, create: false) ?? [];
            var start = string.IsNullOrEmpty(request.Cursor) ? 0 : int.Parse(request.Cursor, System.Globalization.CultureInfo.InvariantCulture);
            var page = records.Skip(start).Take(request.Limit).ToList();
            var next = start + page.Count < records.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
            return new RangePage(next, page);
        }
    }

    public async Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync("Info", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.GetInfoAsync(cancellationToken);
        }

        lock (_gate)
        {
            return new VectorStoreInfo(Name, _namespaces.Sum(n => n.Value.Count), Dimension, SimilarityFunction.Cosine, Model)
            {
                Namespaces = _namespaces.ToDictionary(n => n.Key, n => (long)n.Value.Count),
            };
        }
    }

    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Reset", cancellationToken);
        if (_inner is not null)
        {
            await _inner.ResetAsync(@namespace, all, cancellationToken);
            return;
        }

        lock (_gate)
        {
            foreach (var (key, records) in _namespaces)
            {
                if (all || key == @namespace)
                {
                    records.Clear();
                }
            }
        }
    }

    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync("ListNamespaces", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.ListNamespacesAsync(cancellationToken);
        }

        lock (_gate)
        {
            return [.. _namespaces.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        await EnterAsync("DeleteNamespace", cancellationToken);
        if (_inner is not null)
        {
            return await _inner.DeleteNamespaceAsync(@namespace, cancellationToken);
        }

        if (@namespace.Length == 0)
        {
            throw new ArgumentException("The default namespace cannot be deleted.", nameof(@namespace));
        }

        lock (_gate)
        {
            return _namespaces.Remove(@namespace);
        }
    }

    private List<VectorRecord>? Namespace(string @namespace, bool create)
    {
        if (!_namespaces.TryGetValue(@namespace, out var records) && create)
        {
            records = [];
            _namespaces[@namespace] = records;
        }

        return records;
    }

    private async Task EnterAsync(string operation, CancellationToken cancellationToken)
    {
        bool hang;
        bool ignoreToken;
        Exception? fault = null;
        lock (_gate)
        {
            _calls.Add(operation);
            hang = _hang;
            ignoreToken = _hangIgnoringToken;
            if (_fault is not null && _faultsLeft > 0 && _fault(operation) is { } error)
            {
                fault = error;
                _injected++;
                if (--_faultsLeft == 0)
                {
                    _fault = null;
                }
            }
        }

        // Yield so that every call really is asynchronous, like a store that does I/O.
        await Task.Yield();
        if (fault is not null)
        {
            throw fault;
        }

        cancellationToken.ThrowIfCancellationRequested();

        if (hang)
        {
            await Task.Delay(Timeout.Infinite, ignoreToken ? CancellationToken.None : cancellationToken);
        }
    }
}
