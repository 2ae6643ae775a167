using System.Numerics.Tensors;
using RagFood.Core.Filtering;

namespace RagFood.UpstashEmulator;

/// <summary>How a hybrid query merges its dense and sparse rankings.</summary>
internal enum FusionAlgorithm
{
    Rrf,
    Dbsf,
}

/// <summary>A parsed query: at least one of <see cref="Vector"/> and <see cref="Sparse"/>.</summary>
internal sealed record QuerySpec
{
    public float[]? Vector { get; init; }
    public SparseVector? Sparse { get; init; }
    public int TopK { get; init; } = 10;
    public IncludeFlags Include { get; init; }
    public MetadataFilter? Filter { get; init; }
    public bool Idf { get; init; }
    public FusionAlgorithm Fusion { get; init; } = FusionAlgorithm.Rrf;
}

/// <summary>Which parts of a record an update changes (null = leave as is).</summary>
internal sealed record UpdateSpec(string Id)
{
    public float[]? Vector { get; init; }
    public SparseVector? Sparse { get; init; }
    public string? Data { get; init; }
    public System.Text.Json.JsonElement? Metadata { get; init; }
    public bool PatchMetadata { get; init; }
}

/// <summary>Per-namespace counts for info.</summary>
internal readonly record struct InfoSnapshot(long VectorCount, long IndexSize, IReadOnlyList<KeyValuePair<string, long>> Namespaces);

/// <summary>The emulated index: namespaces of records, scoring, and resumable query sessions.</summary>
/// <remarks>All state is guarded by one lock; handlers parse and embed outside it and only do the in-memory work
/// inside. Writes are applied synchronously (the real service indexes asynchronously but reports pending counts;
/// the SDK tests read their writes back at once, so the emulator never has pending vectors).</remarks>
internal sealed class VectorIndex
{
    private const int RrfK = 60;
    private readonly object _gate = new();
    private readonly Dictionary<string, NamespaceData> _namespaces = new(StringComparer.Ordinal) { [""] = new NamespaceData() };
    private readonly Dictionary<string, ResumableSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public VectorIndex(EmulatorOptions options, TimeProvider time)
    {
        Options = options;
        _time = time;
    }

    public EmulatorOptions Options { get; }

    public bool HasDense => Options.IndexType is EmulatedIndexType.Dense or EmulatedIndexType.Hybrid;

    public bool HasSparse => Options.IndexType is EmulatedIndexType.Sparse or EmulatedIndexType.Hybrid;

    /// <summary>Raised after every successful write, still inside the lock (for snapshots).</summary>
    public event Action? Written;

    public void Upsert(string ns, IReadOnlyList<RecordInput> records)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data))
            {
                data = new NamespaceData();
                _namespaces[ns] = data;
            }

            foreach (var record in records)
            {
                data.Put(record);
            }

            Written?.Invoke();
        }
    }

    public List<Scored> Query(string ns, QuerySpec spec)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data))
            {
                return [];
            }

            var components = RankComponents(data, spec);
            return components.Count == 1
                ? [.. components[0].Take(spec.TopK)]
                : Fuse(components, spec.Fusion).Take(spec.TopK).ToList();
        }
    }

    public StoredRecord?[] FetchIds(string ns, IReadOnlyList<string> ids)
    {
        lock (_gate)
        {
            var result = new StoredRecord?[ids.Count];
            if (_namespaces.TryGetValue(ns, out var data))
            {
                for (var i = 0; i < ids.Count; i++)
                {
                    result[i] = data.TryGet(ids[i], out var record) ? record : null;
                }
            }

            return result;
        }
    }

    public List<StoredRecord> FetchPrefix(string ns, string prefix)
    {
        lock (_gate)
        {
            return _namespaces.TryGetValue(ns, out var data)
                ? data.Live.Where(r => r.Id.StartsWith(prefix, StringComparison.Ordinal)).Take(Options.MaxFetchPrefix).ToList()
                : [];
        }
    }

    public long DeleteIds(string ns, IEnumerable<string> ids) => DeleteWhere(ns, data => ids.Where(id => data.TryGet(id, out _)).ToList());

    public long DeletePrefix(string ns, string prefix) =>
        DeleteWhere(ns, data => data.Live.Where(r => r.Id.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Id).ToList());

    public long DeleteFilter(string ns, MetadataFilter filter) =>
        DeleteWhere(ns, data => data.Live.Where(r => filter.Matches(r.Metadata)).Select(r => r.Id).ToList());

    /// <summary>One page in insertion order; the next cursor is "" exactly when nothing matching follows.</summary>
    public (List<StoredRecord> Page, string NextCursor) Range(string ns, long cursor, int limit, string? prefix)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data))
            {
                return ([], "");
            }

            var page = new List<StoredRecord>(Math.Min(limit, 1024));
            foreach (var record in data.From(cursor))
            {
                if (prefix is not null && !record.Id.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (page.Count == limit)
                {
                    // Look one matching record ahead so a full last page still ends with "".
                    return (page, record.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                page.Add(record);
            }

            return (page, "");
        }
    }

    /// <summary>Empties one namespace (not creating it) or all of them; namespaces stay listed.</summary>
    public void Reset(string ns, bool all)
    {
        lock (_gate)
        {
            if (all)
            {
                foreach (var data in _namespaces.Values)
                {
                    data.Clear();
                }
            }
            else if (_namespaces.TryGetValue(ns, out var data))
            {
                data.Clear();
            }

            Written?.Invoke();
        }
    }

    public InfoSnapshot Info()
    {
        lock (_gate)
        {
            long total = 0, size = 0;
            var namespaces = new List<KeyValuePair<string, long>>();
            foreach (var (name, data) in _namespaces.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                total += data.Count;
                size += data.Live.Sum(r => r.ApproximateBytes);
                namespaces.Add(new(name, data.Count));
            }

            return new InfoSnapshot(total, size, namespaces);
        }
    }

    /// <summary>Applies an update; false when the id (or namespace) does not exist.</summary>
    public bool Update(string ns, UpdateSpec spec)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data) || !data.TryGet(spec.Id, out var existing))
            {
                return false;
            }

            var metadata = existing.Metadata;
            if (spec.Metadata is { } patch)
            {
                metadata = spec.PatchMetadata ? MergePatch.Apply(existing.Metadata, patch) : patch;
            }

            var vector = spec.Vector ?? existing.Vector;
            var updated = existing with
            {
                Vector = vector,
                Norm = vector is null ? 0 : MathF.Sqrt(TensorPrimitives.Dot<float>(vector, vector)),
                Sparse = spec.Sparse ?? existing.Sparse,
                Data = spec.Data ?? existing.Data,
                Metadata = metadata,
            };
            data.Replace(existing, updated);
            Written?.Invoke();
            return true;
        }
    }

    public List<string> ListNamespaces()
    {
        lock (_gate)
        {
            return _namespaces.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    public void DeleteNamespace(string ns)
    {
        lock (_gate)
        {
            if (ns.Length == 0)
            {
                throw new EmulatorError(400, "Cannot delete the default namespace.");
            }

            if (!_namespaces.Remove(ns))
            {
                throw new EmulatorError(404, $"Namespace {ns} for the index {Options.IndexName} does not exist");
            }

            Written?.Invoke();
        }
    }

    public bool RenameNamespace(string from, string to, bool deleteExisting)
    {
        lock (_gate)
        {
            if (from.Length == 0 || to.Length == 0)
            {
                throw new EmulatorError(400, "The default namespace cannot be renamed.");
            }

            if (!_namespaces.Remove(from, out var data))
            {
                throw new EmulatorError(404, $"Namespace {from} for the index {Options.IndexName} does not exist");
            }

            if (_namespaces.ContainsKey(to) && !deleteExisting)
            {
                _namespaces[from] = data;
                throw new EmulatorError(400, $"Namespace {to} already exists. Set deleteExisting to overwrite it.");
            }

            _namespaces[to] = data;
            Written?.Invoke();
            return true;
        }
    }

    public StoredRecord? Random(string ns)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data) || data.Count == 0)
            {
                return null;
            }

            return data.Live.ElementAt(System.Random.Shared.Next(data.Count));
        }
    }

    /// <summary>Starts a resumable query; a missing non-default namespace yields an empty uuid.</summary>
    public (string Uuid, List<Scored> Scores) StartResumable(string ns, QuerySpec spec, TimeSpan maxIdle)
    {
        lock (_gate)
        {
            ReapSessions();
            if (!_namespaces.TryGetValue(ns, out var data))
            {
                return ("", []);
            }

            var session = new ResumableSession(RankComponents(data, spec), spec.Include, spec.Fusion, maxIdle) { LastUsed = _time.GetUtcNow() };
            var uuid = Guid.NewGuid().ToString();
            _sessions[uuid] = session;
            return (uuid, session.Next(spec.TopK));
        }
    }

    public (List<Scored> Scores, IncludeFlags Include) NextResumable(string uuid, int additionalK)
    {
        lock (_gate)
        {
            ReapSessions();
            if (!_sessions.TryGetValue(uuid, out var session))
            {
                throw new EmulatorError(404, $"Resumable query with uuid {uuid} does not exist or has expired.");
            }

            session.LastUsed = _time.GetUtcNow();
            return (session.Next(additionalK), session.Include);
        }
    }

    public void EndResumable(string uuid)
    {
        lock (_gate)
        {
            ReapSessions();
            if (!_sessions.Remove(uuid))
            {
                throw new EmulatorError(404, $"Resumable query with uuid {uuid} does not exist or has expired.");
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> on every namespace under the lock (snapshots).</summary>
    public T Read<T>(Func<IReadOnlyDictionary<string, NamespaceData>, T> action)
    {
        lock (_gate)
        {
            return action(_namespaces);
        }
    }

    /// <summary>Adds restored namespaces (snapshot load, before the server starts).</summary>
    public void Restore(string ns, NamespaceData data)
    {
        lock (_gate)
        {
            _namespaces[ns] = data;
        }
    }

    private long DeleteWhere(string ns, Func<NamespaceData, List<string>> select)
    {
        lock (_gate)
        {
            if (!_namespaces.TryGetValue(ns, out var data))
            {
                return 0;
            }

            long deleted = 0;
            foreach (var id in select(data))
            {
                if (data.Remove(id))
                {
                    deleted++;
                }
            }

            if (deleted > 0)
            {
                Written?.Invoke();
            }

            return deleted;
        }
    }

    private void ReapSessions()
    {
        var now = _time.GetUtcNow();
        foreach (var (uuid, session) in _sessions.ToList())
        {
            if (now - session.LastUsed > session.MaxIdle)
            {
                _sessions.Remove(uuid);
            }
        }
    }

    /// <summary>Each queried part ranked on its own, best first, ties in insertion order.</summary>
    private List<List<Scored>> RankComponents(NamespaceData data, QuerySpec spec)
    {
        var candidates = spec.Filter is null ? data.Live : data.Live.Where(r => spec.Filter.Matches(r.Metadata));
        var components = new List<List<Scored>>(2);
        if (spec.Vector is { } vector)
        {
            var norm = MathF.Sqrt(TensorPrimitives.Dot<float>(vector, vector));
            components.Add(candidates.Where(r => r.Vector is not null)
                .Select(r => new Scored(r, DenseScore(vector, norm, r)))
                .OrderByDescending(s => s.Score).ToList());
        }

        if (spec.Sparse is { } sparse)
        {
            Func<int, double>? weight = null;
            if (spec.Idf)
            {
                var withSparse = data.Live.Where(r => r.Sparse is not null).ToList();
                var idf = new Dictionary<int, double>();
                foreach (var index in sparse.Indices)
                {
                    var n = withSparse.Count(r => Array.BinarySearch(r.Sparse!.Indices, index) >= 0);
                    idf[index] = Math.Log(((withSparse.Count - n + 0.5) / (n + 0.5)) + 1);
                }

                weight = index => idf[index];
            }

            components.Add(candidates.Where(r => r.Sparse is not null && r.Sparse.Overlaps(sparse))
                .Select(r => new Scored(r, sparse.Dot(r.Sparse!, weight)))
                .OrderByDescending(s => s.Score).ToList());
        }

        return components;
    }

    private double DenseScore(float[] query, float queryNorm, StoredRecord record)
    {
        var stored = record.Vector!;
        switch (Options.Similarity)
        {
            case EmulatedSimilarity.Euclidean:
                var distance = TensorPrimitives.Distance<float>(query, stored);
                return 1.0 / (1.0 + ((double)distance * distance));
            case EmulatedSimilarity.DotProduct:
                return (1.0 + TensorPrimitives.Dot<float>(query, stored)) / 2.0;
            default:
                var denominator = (double)queryNorm * record.Norm;
                if (denominator == 0)
                {
                    return 0.5;
                }

                var cosine = TensorPrimitives.Dot<float>(query, stored) / denominator;
                // Identical vectors must score exactly 1; float rounding would otherwise give 0.99999994.
                if (cosine > 0.9999 && query.AsSpan().SequenceEqual(stored))
                {
                    return 1.0;
                }

                return Math.Clamp((1.0 + cosine) / 2.0, 0.0, 1.0);
        }
    }

    /// <summary>Fuses ranked lists (RRF: 1/(60+rank); DBSF: 3-sigma normalised scores), summed per record.</summary>
    internal static IEnumerable<Scored> Fuse(IReadOnlyList<List<Scored>> components, FusionAlgorithm fusion)
    {
        var totals = new Dictionary<string, (StoredRecord Record, double Score, int FirstSeen)>(StringComparer.Ordinal);
        var seen = 0;
        foreach (var list in components)
        {
            double mean = 0, sigma = 0;
            if (fusion == FusionAlgorithm.Dbsf && list.Count > 1)
            {
                mean = list.Average(s => s.Score);
                sigma = Math.Sqrt(list.Sum(s => (s.Score - mean) * (s.Score - mean)) / (list.Count - 1));
            }

            for (var rank = 0; rank < list.Count; rank++)
            {
                var item = list[rank];
                var contribution = fusion == FusionAlgorithm.Rrf
                    ? 1.0 / (RrfK + rank)
                    : sigma == 0 ? 0.5 : (item.Score - (mean - (3 * sigma))) / (6 * sigma);
                totals[item.Record.Id] = totals.TryGetValue(item.Record.Id, out var current)
                    ? (current.Record, current.Score + contribution, current.FirstSeen)
                    : (item.Record, contribution, seen++);
            }
        }

        return totals.Values.OrderByDescending(t => t.Score).ThenBy(t => t.FirstSeen).Select(t => new Scored(t.Record, t.Score));
    }

    /// <summary>State of one resumable query: the component rankings and what was already returned.</summary>
    private sealed class ResumableSession(List<List<Scored>> components, IncludeFlags include, FusionAlgorithm fusion, TimeSpan maxIdle)
    {
        private readonly HashSet<string> _returned = new(StringComparer.Ordinal);

        public IncludeFlags Include { get; } = include;

        public TimeSpan MaxIdle { get; } = maxIdle;

        public DateTimeOffset LastUsed { get; set; }

        /// <summary>The next <paramref name="k"/> results. Hybrid sessions fuse pools of k per component that
        /// exclude what was returned (matching the SDK tests' DBSF values); single-part sessions continue the ranking.</summary>
        public List<Scored> Next(int k)
        {
            var pools = components.Select(list => list.Where(s => !_returned.Contains(s.Record.Id)).Take(k).ToList()).ToList();
            var next = pools.Count == 1 ? pools[0] : Fuse(pools, fusion).Take(k).ToList();
            foreach (var item in next)
            {
                _returned.Add(item.Record.Id);
            }

            return next;
        }
    }
}
