using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFood.Core.Durable;
using RagFood.Core.Embeddings;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Sqlite;

/// <summary>The embedded vector store: one SQLite file, searched exactly in memory.</summary>
/// <remarks>
/// <para><b>Durability.</b> WAL journal with <c>synchronous=FULL</c>: every write is committed (and the WAL fsynced)
/// before the call returns, so an acknowledged write survives a killed process and also a power cut. NORMAL would
/// survive a killed process too but may lose the last commits on power loss. Concurrent writes are group-committed
/// (<see cref="SqliteVectorStoreOptions.GroupCommit"/>): they share one transaction and one fsync, each in its own
/// savepoint, and readers see them only once that commit is durable.</para>
/// <para><b>Search.</b> Each namespace is loaded into memory on first use (unit vectors in contiguous chunks,
/// text and parsed metadata) and scanned exactly: cosine = dot product (SIMD via TensorPrimitives), a bounded
/// heap keeps the top k, ties go to the earlier insertion, and filters are evaluated in process, only for records
/// that would enter the top k. Scores follow Upstash: (1 + cos) / 2.</para>
/// <para><b>Concurrency.</b> Readers take an immutable snapshot and never wait. Writes are serialised by one
/// lock: SQLite first, then a new snapshot is published. One process owns the file (exclusive locking), so the
/// in-memory snapshot cannot go stale behind another writer's back.</para>
/// <para><b>Embedding space.</b> The file records the embedding model id and dimension on creation; opening it
/// with a generator of another model or dimension throws <see cref="EmbeddingSpaceMismatchException"/>.
/// The file is opened on first use, or explicitly with <see cref="OpenAsync(CancellationToken)"/>.</para>
/// <para><b>Limits.</b> Ids 1–512 characters; at most 1000 records per upsert, ids per fetch or delete, results
/// per prefix fetch, range page or query (top k 1–1000).</para>
/// </remarks>
public sealed partial class SqliteVectorStore : IVectorStore, IAsyncDisposable, IDisposable
{
    /// <summary>The provider name: the store's <see cref="Name"/> and its DI key.</summary>
    public const string ProviderName = "sqlite";

    private readonly SqliteVectorStoreOptions _options;
    private readonly EmbeddingDispatcher _embedder;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteWriteBatch<StoreState> _batch;
    private readonly GroupCommitter _committer;
    private readonly HybridSparseIndexCache _sparse = new();
    private SqliteConnection? _connection;
    private StoreState? _state;
    private volatile bool _disposed;

    /// <summary>Creates the store; the file is opened on first use.</summary>
    public SqliteVectorStore(
        IOptions<SqliteVectorStoreOptions> options,
        IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator,
        ILogger<SqliteVectorStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        _options = options.Value;
        _embedder = new EmbeddingDispatcher(embeddingGenerator, ProviderName, _options.EmbeddingBatchSize, _options.EmbeddingModel);
        _logger = logger ?? NullLogger<SqliteVectorStore>.Instance;
        DatabasePath = Path.GetFullPath(_options.Path);
        _batch = new SqliteWriteBatch<StoreState>(() => _connection ?? throw new ObjectDisposedException(nameof(SqliteVectorStore)), s => Volatile.Write(ref _state, s));
        _committer = new GroupCommitter(_batch, _writeLock, _options.GroupCommit ? _options.MaxGroupCommitBatch : 1);
    }

    public string Name => ProviderName;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Opens (or creates) the file now instead of on first use.</summary>
    /// <exception cref="EmbeddingSpaceMismatchException">The file was written with another model or dimension.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default) => await GetStateAsync(cancellationToken);

    /// <summary>The embedding space of the open file, e.g. for a caller that wants to compare stores.</summary>
    public async Task<EmbeddingSpace> GetEmbeddingSpaceAsync(CancellationToken cancellationToken = default) =>
        (await GetStateAsync(cancellationToken)).Space;

    // ---- Upsert ----------------------------------------------------------------------------------------------

    public async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        var records = VectorStoreRules.Upsert(request);
        var ns = request.Namespace;
        var state = await GetStateAsync(cancellationToken);
        if (records.Count == 0)
        {
            return new UpsertResult(0);
        }

        var dimension = state.Space.Dimension;
        foreach (var record in records)
        {
            if (record.Vector is { } vector)
            {
                VectorStoreRules.Dimension(vector, dimension, $"The vector of record '{record.Id}'", Name);
            }
        }

        // Same id, same text, same embedding space: the stored vector is what the embedder would return again.
        var existing = state.Namespaces.TryGetValue(ns, out var nsState) ? nsState.Index : null;
        var (vectors, embedded) = await _embedder.ResolveAsync(records, dimension,
            record => existing?.SlotsById.TryGetValue(record.Id, out var slot) == true && existing.Slots[slot]?.Text == record.Text
                ? existing.CopyVector(slot) : null,
            cancellationToken);
        var prepared = new PreparedRecord[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var unit = VectorCodec.Normalise(vectors[i]) ?? throw new ArgumentException(record.Vector is null
                ? $"The text of '{record.Id}' embeds to a zero vector (nothing the embedder can represent)."
                : $"Record '{record.Id}' has a zero vector; cosine similarity needs a direction.", nameof(request));
            var metadataJson = record.Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata.GetRawText() : null;
            prepared[i] = new PreparedRecord(record.Id, record.Text, metadataJson, metadataJson is null ? null : SqliteFile.ParseMetadata(metadataJson))
            {
                UnitVector = unit,
                HasOwnVector = record.Vector is not null,
            };
        }

        var written = await WriteAsync("upsert", state =>
        {
            var builder = LoadIndexLocked(state, ns, create: true)!.ToBuilder(_batch.Id);
            builder.ReserveAppends(prepared.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count(id => builder.Find(id) is null));
            using var transaction = _batch.BeginWrite();
            SqliteFile.UpsertRecords(_connection!, transaction, ns, prepared, builder);
            SqliteFile.SetNextSequence(_connection!, transaction, ns, builder.NextSequence);
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            Publish(state.WithIndex(builder.Build()));
            return prepared.Select(r => r.Id).ToArray();
        }, cancellationToken);

        SqliteLog.Upserted(_logger, written.Length, ns, embedded);
        return new UpsertResult(written.Length) { WrittenIds = written };
    }

    // ---- Query -----------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Query(query);
        var ns = query.Namespace;
        var state = await GetStateAsync(cancellationToken);
        var dimension = state.Space.Dimension;
        float[] direction;
        if (query.Vector is { } vector)
        {
            VectorStoreRules.Dimension(vector, dimension, "The query vector", Name);
            direction = vector;
        }
        else
        {
            if (!state.Namespaces.ContainsKey(ns))
            {
                cancellationToken.ThrowIfCancellationRequested();
                return [];
            }

            direction = await _embedder.EmbedAsync(query.Text!, dimension, cancellationToken, EmbeddingPurpose.ForQuery());
        }

        // The unit query lives only for the scan: a pooled buffer, not a new 4 KB array per query (1024-d).
        var pooled = ArrayPool<float>.Shared.Rent(direction.Length);
        ScanHit[] hits;
        NamespaceIndex? index;
        try
        {
            if (!VectorCodec.TryNormalise(direction, pooled.AsSpan(0, direction.Length)))
            {
                throw new ArgumentException(query.Vector is null
                    ? "The query text embeds to a zero vector (nothing the embedder can represent)."
                    : "The query vector is zero; cosine similarity needs a direction.", nameof(query));
            }

            index = await GetIndexAsync(ns, cancellationToken);
            if (index is null)
            {
                return [];
            }

            var unitQuery = pooled.AsSpan(0, direction.Length);
            hits = query.Text is not null && UsesHybrid(state.Space)
                ? HybridSearch.Search(index, _sparse.For(index), unitQuery, query.Text, query.TopK, query.Filter, cancellationToken)
                : index.Search(unitQuery, query.TopK, query.Filter, cancellationToken);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pooled);
        }

        var include = query.Include;
        var results = new ScoredRecord[hits.Length];
        for (var i = 0; i < hits.Length; i++)
        {
            var hit = hits[i];
            var record = index.Slots[hit.Slot]!;
            results[i] = new ScoredRecord(record.Id, Math.Clamp((1f + hit.Cosine) / 2f, 0f, 1f))
            {
                Text = include.Text ? record.Text : null,
                Metadata = include.Metadata ? record.Metadata : null,
                Vector = include.Vectors ? index.CopyVector(hit.Slot) : null,
                RawScore = hit.Cosine,
            };
        }

        return results;
    }

    /// <summary>Text queries fuse dense and lexical rankings when configured, or by default when the embedder is
    /// semantic (the built-in hashing embedder's vectors already are lexical).</summary>
    private bool UsesHybrid(EmbeddingSpace space) => _options.Retrieval switch
    {
        SqliteRetrievalMode.Hybrid => true,
        SqliteRetrievalMode.Dense => false,
        _ => !space.Model.StartsWith(HashingEmbeddingGenerator.ModelIdPrefix, StringComparison.Ordinal),
    };

    // ---- Fetch -----------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Fetch(request);
        var ns = request.Namespace;

        var index = await GetIndexAsync(ns, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Ids is { } wanted)
        {
            var result = new VectorRecord?[wanted.Count];
            for (var i = 0; i < wanted.Count; i++)
            {
                if (index is not null && index.SlotsById.TryGetValue(wanted[i], out var slot))
                {
                    result[i] = ToRecord(index, slot, request.Include);
                }
            }

            return result;
        }

        var matches = new List<VectorRecord?>();
        if (index is null)
        {
            return matches;
        }

        for (var slot = 0; slot < index.SlotCount && matches.Count < VectorStoreLimits.MaxBatchSize; slot++)
        {
            if (index.Slots[slot] is { } record && record.Id.StartsWith(request.Prefix!, StringComparison.Ordinal))
            {
                matches.Add(ToRecord(index, slot, request.Include));
            }
        }

        return matches;
    }

    // ---- Delete ----------------------------------------------------------------------------------------------

    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Delete(request);
        var ns = request.Namespace;

        await GetStateAsync(cancellationToken);
        var deleted = await WriteAsync("delete", state =>
        {
            var index = LoadIndexLocked(state, ns, create: false);
            if (index is null)
            {
                return 0L;
            }

            var victims = new List<string>();
            if (request.Ids is { } wanted)
            {
                victims.AddRange(wanted.Where(index.SlotsById.ContainsKey).Distinct(StringComparer.Ordinal));
            }
            else
            {
                for (var slot = 0; slot < index.SlotCount; slot++)
                {
                    if (index.Slots[slot] is { } record
                        && (request.Prefix is { } prefix
                            ? record.Id.StartsWith(prefix, StringComparison.Ordinal)
                            : request.Filter!.Matches(record.Metadata)))
                    {
                        victims.Add(record.Id);
                    }
                }
            }

            if (victims.Count == 0)
            {
                return 0L;
            }

            var builder = index.ToBuilder();
            using var transaction = _batch.BeginWrite();
            SqliteFile.DeleteRecords(_connection!, transaction, ns, victims, builder);

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            Publish(state.WithIndex(builder.Build()));
            return victims.Count;
        }, cancellationToken);

        SqliteLog.Deleted(_logger, deleted, ns);
        return deleted;
    }

    // ---- Range -----------------------------------------------------------------------------------------------

    public async Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Range(request);
        var ns = request.Namespace;

        long start = 0;
        if (request.Cursor is { Length: > 0 } cursor
            && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 0))
        {
            throw new ArgumentException($"The range cursor '{cursor}' is not one this store returned (a decimal position).", nameof(request));
        }

        var index = await GetIndexAsync(ns, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        if (index is null)
        {
            return new RangePage("", []);
        }

        var page = new List<VectorRecord>(Math.Min(request.Limit, index.LiveCount));
        for (var slot = index.FirstSlotAtOrAfter(start); slot < index.SlotCount; slot++)
        {
            if (index.Slots[slot] is not { } record
                || (request.Prefix is { } prefix && !record.Id.StartsWith(prefix, StringComparison.Ordinal)))
            {
                continue;
            }

            if (page.Count == request.Limit)
            {
                // The next record that would be returned: its sequence is the cursor, so "" means nothing is left.
                return new RangePage(record.Sequence.ToString(CultureInfo.InvariantCulture), page);
            }

            page.Add(ToRecord(index, slot, request.Include));
        }

        return new RangePage("", page);
    }

    // ---- Info, reset, namespaces -----------------------------------------------------------------------------

    public async Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var state = await GetStateAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var counts = state.Namespaces.ToDictionary(pair => pair.Key, pair => pair.Value.Count, StringComparer.Ordinal);
        return new VectorStoreInfo(Name, counts.Values.Sum(), state.Space.Dimension, SimilarityFunction.Cosine, state.Space.Model)
        {
            Namespaces = counts,
        };
    }

    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Reset(@namespace, all);
        var ns = @namespace ?? "";
        await GetStateAsync(cancellationToken);
        await WriteAsync("reset", state =>
        {
            if (!all && !state.Namespaces.ContainsKey(ns))
            {
                return 0;
            }

            using var transaction = _batch.BeginWrite();
            using var command = _connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = all
                ? "DELETE FROM records; UPDATE namespaces SET next_seq = 0;"
                : "DELETE FROM records WHERE namespace = $ns; UPDATE namespaces SET next_seq = 0 WHERE name = $ns;";
            command.Parameters.AddWithValue("$ns", ns);
            command.ExecuteNonQuery();
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();

            var dimension = state.Space.Dimension;
            var namespaces = all
                ? state.Namespaces.ToImmutableSortedDictionary(
                    pair => pair.Key, pair => NamespaceState.Loaded(NamespaceIndex.Empty(pair.Key, dimension)), StringComparer.Ordinal)
                : state.Namespaces.SetItem(ns, NamespaceState.Loaded(NamespaceIndex.Empty(ns, dimension)));
            Publish(state with { Namespaces = namespaces });
            return 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var state = await GetStateAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return [.. state.Namespaces.Keys];
    }

    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var ns = VectorStoreRules.NamespaceToDelete(@namespace);

        await GetStateAsync(cancellationToken);
        return await WriteAsync("delete-namespace", state =>
        {
            if (!state.Namespaces.ContainsKey(ns))
            {
                return false;
            }

            using var transaction = _batch.BeginWrite();
            using var command = _connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM records WHERE namespace = $ns; DELETE FROM namespaces WHERE name = $ns;";
            command.Parameters.AddWithValue("$ns", ns);
            command.ExecuteNonQuery();
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            Publish(state with { Namespaces = state.Namespaces.Remove(ns) });
            return true;
        }, cancellationToken);
    }

    // ---- Benchmark hook --------------------------------------------------------------------------------------

    /// <summary>The loaded in-memory index of a namespace (loading it if needed), for the benchmark harness to time
    /// <see cref="NamespaceIndex.RawScan"/> against a plain read of <see cref="NamespaceIndex.Chunks"/>.</summary>
    internal Task<NamespaceIndex?> GetIndexForBenchmarkAsync(string @namespace, CancellationToken cancellationToken = default) =>
        GetIndexAsync(VectorStoreRules.Namespace(@namespace), cancellationToken).AsTask();

    // ---- Lifetime --------------------------------------------------------------------------------------------

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _writeLock.WaitAsync();
        try
        {
            CloseLocked();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _writeLock.Wait();
        try
        {
            CloseLocked();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void CloseLocked()
    {
        _disposed = true;
        _state = null;
        _connection?.Dispose();
        _connection = null;
    }
}
