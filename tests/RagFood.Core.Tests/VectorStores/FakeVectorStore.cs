using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

/// <summary>An in-memory <see cref="IVectorStore"/> that can be told to fail or hang, for testing decorators.</summary>
/// <remarks>Not a store to test: queries ignore filters and score by position, which is all a decorator can see.</remarks>
internal sealed class FakeVectorStore(string name, string model = "test-embed", int dimension = 3) : IVectorStore
{
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

    /// <summary>Every operation throws what <paramref name="error"/> makes, optionally only the next <paramref name="times"/>.</summary>
    public FakeVectorStore Fail(Func<Exception> error, int times = int.MaxValue, params string[] operations)
    {
        lock (_gate)
        {
            _fault = op => operations.Length == 0 || operations.Contains(op) ? error() : null;
            _faultsLeft = times;
        }

        return this;
    }

    public FakeVectorStore FailTransiently(VectorStoreErrorKind kind = VectorStoreErrorKind.Unavailable, int times = int.MaxValue, params string[] operations)
        => Fail(() => new VectorStoreException(Name, kind, $"{Name} is {kind} (simulated)"), times, operations);

    /// <summary>Every operation waits until its token is cancelled (or forever, when told to ignore it).</summary>
    public FakeVectorStore Hang(bool ignoreToken = false)
    {
        lock (_gate)
        {
            _hang = true;
            _hangIgnoringToken = ignoreToken;
        }

        return this;
    }

    public FakeVectorStore Heal()
    {
        lock (_gate)
        {
            _fault = null;
            _hang = false;
        }

        return this;
    }

    /// <summary>Every record, namespace by namespace, for comparing two stores.</summary>
    public string Snapshot()
    {
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
        lock (_gate)
        {
            var records = Namespace(query.Namespace, create: false) ?? [];
            return [.. records.Take(query.TopK).Select((r, i) => new ScoredRecord(r.Id, 1f / (i + 1)) { Text = r.Text, Metadata = r.Metadata })];
        }
    }

    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        await EnterAsync("Fetch", cancellationToken);
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
        lock (_gate)
        {
            return [.. _namespaces.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        await EnterAsync("DeleteNamespace", cancellationToken);
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
