using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFood.Core.Corpus;
using RagFood.Core.Embeddings;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Sqlite;

/// <summary>The embedded vector store: one SQLite file, searched exactly in memory.</summary>
/// <remarks>
/// <para><b>Durability.</b> WAL journal with <c>synchronous=FULL</c>: every write is one transaction, committed
/// (and the WAL fsynced) before the call returns, so an acknowledged write survives a killed process and also a
/// power cut. NORMAL would survive a killed process too but may lose the last commits on power loss; a write here
/// is a batch of up to 1000 records, so one fsync per call is cheap next to embedding them.</para>
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
public sealed class SqliteVectorStore : IVectorStore, IAsyncDisposable, IDisposable
{
    /// <summary>The provider name: the store's <see cref="Name"/> and its DI key.</summary>
    public const string ProviderName = "sqlite";

    public const int MaxIdLength = 512;
    public const int MaxBatchSize = 1000;
    public const int MaxTopK = 1000;

    private readonly SqliteVectorStoreOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
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
        _embedder = embeddingGenerator;
        _logger = logger ?? NullLogger<SqliteVectorStore>.Instance;
        DatabasePath = Path.GetFullPath(_options.Path);
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
        ArgumentNullException.ThrowIfNull(request);
        var ns = CheckNamespace(request.Namespace);
        var records = CheckRecords(request.Records);
        var state = await GetStateAsync(cancellationToken);
        var dimension = state.Space.Dimension;

        var prepared = new PreparedRecord[records.Count];
        var toEmbed = new List<int>();
        var existing = state.Namespaces.TryGetValue(ns, out var nsState) ? nsState.Index : null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var metadata = CheckMetadata(record);
            float[]? unit = null;
            if (record.Vector is { } vector)
            {
                if (vector.Length != dimension)
                {
                    throw new ArgumentException(
                        $"Record '{record.Id}' has a vector of {vector.Length} dimensions; this store holds {dimension}-dimensional vectors.",
                        nameof(request));
                }

                unit = VectorCodec.Normalise(vector) ?? throw new ArgumentException(
                    $"Record '{record.Id}' has a zero or non-finite vector; cosine similarity needs a direction.", nameof(request));
            }
            else if (existing?.SlotsById.TryGetValue(record.Id, out var slot) == true && existing.Slots[slot]?.Text == record.Text)
            {
                // Same text, same embedding space: the stored vector is what the embedder would return again.
                unit = existing.CopyVector(slot);
            }
            else
            {
                toEmbed.Add(i);
            }

            prepared[i] = new PreparedRecord(record.Id, record.Text, metadata.Json, metadata.Element) { UnitVector = unit ?? [] };
        }

        await EmbedAsync(prepared, toEmbed, dimension, cancellationToken);

        var written = await WriteAsync("upsert", state =>
        {
            var builder = LoadIndexLocked(state, ns, create: true)!.ToBuilder();
            builder.ReserveAppends(prepared.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count(id => builder.Find(id) is null));
            using var transaction = _connection!.BeginTransaction();
            using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO records (namespace, id, seq, text, metadata, content_hash, vector)
                VALUES ($ns, $id, $seq, $text, $metadata, $hash, $vector)
                ON CONFLICT (namespace, id) DO UPDATE SET
                    text = excluded.text, metadata = excluded.metadata,
                    content_hash = excluded.content_hash, vector = excluded.vector
                """;
            var pNs = insert.Parameters.Add("$ns", SqliteType.Text);
            var pId = insert.Parameters.Add("$id", SqliteType.Text);
            var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var pText = insert.Parameters.Add("$text", SqliteType.Text);
            var pMetadata = insert.Parameters.Add("$metadata", SqliteType.Text);
            var pHash = insert.Parameters.Add("$hash", SqliteType.Text);
            var pVector = insert.Parameters.Add("$vector", SqliteType.Blob);
            pNs.Value = ns;
            foreach (var record in prepared)
            {
                pId.Value = record.Id;
                pSeq.Value = builder.SequenceFor(record.Id);
                pText.Value = (object?)record.Text ?? DBNull.Value;
                pMetadata.Value = (object?)record.MetadataJson ?? DBNull.Value;
                pHash.Value = FoodItem.ComputeContentHash(record.Text ?? "", record.Metadata);
                pVector.Value = VectorCodec.ToBlob(record.UnitVector);
                insert.ExecuteNonQuery();
                builder.Upsert(record.Id, record.Text, record.Metadata, record.UnitVector);
            }

            SetNextSequence(transaction, ns, builder.NextSequence);
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            Publish(state.WithIndex(builder.Build()));
            return prepared.Select(r => r.Id).ToArray();
        }, cancellationToken);

        SqliteLog.Upserted(_logger, written.Length, ns, toEmbed.Count);
        return new UpsertResult(written.Length) { WrittenIds = written };
    }

    // ---- Query -----------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ns = CheckNamespace(query.Namespace);
        if ((query.Text is null) == (query.Vector is null))
        {
            throw new ArgumentException("A query needs exactly one of text or vector.", nameof(query));
        }

        if (query.Text is not null && string.IsNullOrWhiteSpace(query.Text))
        {
            throw new ArgumentException("The query text is empty.", nameof(query));
        }

        if (query.TopK is < 1 or > MaxTopK)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.TopK, $"topK must be between 1 and {MaxTopK}.");
        }

        var state = await GetStateAsync(cancellationToken);
        var dimension = state.Space.Dimension;
        float[] unitQuery;
        if (query.Vector is { } vector)
        {
            if (vector.Length != dimension)
            {
                throw new ArgumentException(
                    $"The query vector has {vector.Length} dimensions; this store holds {dimension}-dimensional vectors.", nameof(query));
            }

            unitQuery = VectorCodec.Normalise(vector)
                ?? throw new ArgumentException("The query vector is zero or not finite; cosine similarity needs a direction.", nameof(query));
        }
        else
        {
            if (!state.Namespaces.ContainsKey(ns))
            {
                cancellationToken.ThrowIfCancellationRequested();
                return [];
            }

            var prepared = new[] { new PreparedRecord("query", query.Text, null, null) };
            await EmbedAsync(prepared, [0], dimension, cancellationToken, EmbeddingPurpose.ForQuery());
            unitQuery = prepared[0].UnitVector;
        }

        var index = await GetIndexAsync(ns, cancellationToken);
        if (index is null)
        {
            return [];
        }

        var hits = query.Text is not null && UsesHybrid(state.Space)
            ? HybridSearch.Search(index, unitQuery, query.Text, query.TopK, query.Filter, cancellationToken)
            : index.Search(unitQuery, query.TopK, query.Filter, cancellationToken);
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
        ArgumentNullException.ThrowIfNull(request);
        var ns = CheckNamespace(request.Namespace);
        if ((request.Ids is null) == (request.Prefix is null))
        {
            throw new ArgumentException("Fetch needs exactly one of ids or prefix.", nameof(request));
        }

        if (request.Ids is { } ids)
        {
            CheckIdList(ids, nameof(request));
        }

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

        for (var slot = 0; slot < index.SlotCount && matches.Count < MaxBatchSize; slot++)
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
        ArgumentNullException.ThrowIfNull(request);
        var ns = CheckNamespace(request.Namespace);
        var selectors = (request.Ids is null ? 0 : 1) + (request.Prefix is null ? 0 : 1) + (request.Filter is null ? 0 : 1);
        if (selectors != 1)
        {
            throw new ArgumentException("Delete needs exactly one of ids, prefix or filter.", nameof(request));
        }

        if (request.Ids is { } ids)
        {
            CheckIdList(ids, nameof(request));
        }

        if (request.Prefix is { Length: 0 })
        {
            throw new ArgumentException("An empty prefix would delete the whole namespace; use reset for that.", nameof(request));
        }

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
            using var transaction = _connection!.BeginTransaction();
            using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM records WHERE namespace = $ns AND id = $id";
            delete.Parameters.Add("$ns", SqliteType.Text).Value = ns;
            var pId = delete.Parameters.Add("$id", SqliteType.Text);
            foreach (var id in victims)
            {
                pId.Value = id;
                delete.ExecuteNonQuery();
                builder.Remove(id);
            }

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
        ArgumentNullException.ThrowIfNull(request);
        var ns = CheckNamespace(request.Namespace);
        if (request.Limit is < 1 or > MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Limit, $"The range limit must be between 1 and {MaxBatchSize}.");
        }

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
        var ns = CheckNamespace(@namespace);
        await GetStateAsync(cancellationToken);
        await WriteAsync("reset", state =>
        {
            if (!all && !state.Namespaces.ContainsKey(ns))
            {
                return 0;
            }

            using var transaction = _connection!.BeginTransaction();
            using var command = _connection.CreateCommand();
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
        var ns = CheckNamespace(@namespace);
        if (ns.Length == 0)
        {
            throw new ArgumentException("The default namespace cannot be deleted; reset it instead.", nameof(@namespace));
        }

        await GetStateAsync(cancellationToken);
        return await WriteAsync("delete-namespace", state =>
        {
            if (!state.Namespaces.ContainsKey(ns))
            {
                return false;
            }

            using var transaction = _connection!.BeginTransaction();
            using var command = _connection.CreateCommand();
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
        GetIndexAsync(CheckNamespace(@namespace), cancellationToken).AsTask();

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

    // ---- Internals: state --------------------------------------------------------------------------------------

    private void Publish(StoreState state) => Volatile.Write(ref _state, state);

    private async ValueTask<StoreState> GetStateAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Every operation passes here first, so a cancelled caller gets no answer even when nothing would block.
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _state) is { } state)
        {
            return state;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state ?? await OpenLockedAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<NamespaceIndex?> GetIndexAsync(string ns, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(cancellationToken);
        if (!state.Namespaces.TryGetValue(ns, out var nsState))
        {
            return null;
        }

        if (nsState.Index is { } loaded)
        {
            return loaded;
        }

        return await WriteAsync("load", current => LoadIndexLocked(current, ns, create: false), cancellationToken);
    }

    /// <summary>Runs a write (or a load) under the write lock on the current state, translating SQLite failures.</summary>
    private async Task<T> WriteAsync<T>(string operation, Func<StoreState, T> action, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            return action(_state ?? throw new ObjectDisposedException(nameof(SqliteVectorStore)));
        }
        catch (SqliteException ex)
        {
            throw Translate(operation, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Returns the loaded index of a namespace, loading it from the file if needed (write lock held).</summary>
    private NamespaceIndex? LoadIndexLocked(StoreState state, string ns, bool create)
    {
        if (state.Namespaces.TryGetValue(ns, out var nsState))
        {
            if (nsState.Index is { } loaded)
            {
                return loaded;
            }
        }
        else
        {
            return create ? NamespaceIndex.Empty(ns, state.Space.Dimension) : null;
        }

        var stopwatch = Stopwatch.StartNew();
        var dimension = state.Space.Dimension;
        var builder = NamespaceIndex.Empty(ns, dimension, nsState.NextSequence).ToBuilder();
        builder.ReserveAppends((int)Math.Min(nsState.Count, int.MaxValue));
        using (var command = _connection!.CreateCommand())
        {
            command.CommandText = "SELECT id, seq, text, metadata, vector FROM records WHERE namespace = $ns ORDER BY seq";
            command.Parameters.AddWithValue("$ns", ns);
            using var reader = command.ExecuteReader();
            var buffer = new byte[dimension * sizeof(float)];
            var row = new float[dimension];
            while (reader.Read())
            {
                var id = reader.GetString(0);
                var length = reader.GetBytes(4, 0, null, 0, 0);
                if (length != buffer.Length)
                {
                    throw new VectorStoreException(Name, VectorStoreErrorKind.Internal,
                        $"Record '{id}' in namespace '{ns}' of {DatabasePath} has a vector of {length} bytes; expected {buffer.Length}. The file is damaged.");
                }

                reader.GetBytes(4, 0, buffer, 0, buffer.Length);
                JsonElement? metadata = reader.IsDBNull(3) ? null : ParseStoredMetadata(reader.GetString(3));
                var record = new IndexedRecord(id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), metadata);
                VectorCodec.FromBlob(buffer, row);
                builder.AppendLoaded(record, row);
            }
        }

        var index = builder.Build();
        Publish(state.WithIndex(index));
        SqliteLog.NamespaceLoaded(_logger, ns, index.LiveCount, stopwatch.ElapsedMilliseconds);
        return index;
    }

    // ---- Internals: opening ------------------------------------------------------------------------------------

    private async Task<StoreState> OpenLockedAsync(CancellationToken cancellationToken)
    {
        var configured = await ResolveEmbeddingSpaceAsync(cancellationToken);
        var directory = Path.GetDirectoryName(DatabasePath);
        SqliteConnection? connection = null;
        try
        {
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = DatabasePath,
                Mode = SqliteOpenMode.ReadWriteCreate,
                // A pooled connection would keep the file (and its exclusive lock) open after Dispose.
                Pooling = false,
                DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
            }.ToString());
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                // Exclusive before WAL: the WAL index then lives in process memory and no other process can open
                // the file behind this store's in-memory snapshot. FULL: see the class remarks.
                pragmas.CommandText = "PRAGMA locking_mode = EXCLUSIVE;";
                pragmas.ExecuteNonQuery();
                pragmas.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = pragmas.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition,
                        $"{DatabasePath} could not be switched to WAL journaling (got '{mode}').");
                }

                pragmas.CommandText = "PRAGMA synchronous = FULL;";
                pragmas.ExecuteNonQuery();
            }

            var (space, created) = InitialiseSchema(connection, configured);
            var namespaces = ReadNamespaces(connection);
            _connection = connection;
            var state = new StoreState(space, namespaces);
            Publish(state);
            if (created)
            {
                SqliteLog.Created(_logger, DatabasePath, space);
            }

            var total = namespaces.Values.Sum(n => n.Count);
            SqliteLog.Opened(_logger, DatabasePath, SqliteSchema.Version, space, namespaces.Count, total);
            return state;
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            throw Translate("open", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable,
                $"The SQLite store could not create or open {DatabasePath}: {ex.Message}", ex);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private (EmbeddingSpace Space, bool Created) InitialiseSchema(SqliteConnection connection, EmbeddingSpace configured)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteSchema.CreateTables;
        command.ExecuteNonQuery();

        command.CommandText = "SELECT key, value FROM meta";
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                meta[reader.GetString(0)] = reader.GetString(1);
            }
        }

        if (meta.Count == 0)
        {
            command.CommandText = "INSERT INTO meta (key, value) VALUES ($k1, $v1), ($k2, $v2), ($k3, $v3), ($k4, $v4), ($k5, $v5)";
            command.Parameters.AddWithValue("$k1", SqliteSchema.MetaSchemaVersion);
            command.Parameters.AddWithValue("$v1", SqliteSchema.Version.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k2", SqliteSchema.MetaEmbeddingModel);
            command.Parameters.AddWithValue("$v2", configured.Model);
            command.Parameters.AddWithValue("$k3", SqliteSchema.MetaDimension);
            command.Parameters.AddWithValue("$v3", configured.Dimension.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k4", SqliteSchema.MetaSimilarity);
            command.Parameters.AddWithValue("$v4", SqliteSchema.Similarity);
            command.Parameters.AddWithValue("$k5", SqliteSchema.MetaCreatedAt);
            command.Parameters.AddWithValue("$v5", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            transaction.Commit();
            return (configured, true);
        }

        var version = meta.GetValueOrDefault(SqliteSchema.MetaSchemaVersion);
        if (version != SqliteSchema.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition,
                $"{DatabasePath} has schema version '{version}'; this build reads version {SqliteSchema.Version}.");
        }

        if (meta.GetValueOrDefault(SqliteSchema.MetaSimilarity) != SqliteSchema.Similarity)
        {
            throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition,
                $"{DatabasePath} uses similarity '{meta.GetValueOrDefault(SqliteSchema.MetaSimilarity)}'; this store only serves {SqliteSchema.Similarity}.");
        }

        var stored = new EmbeddingSpace(
            meta.GetValueOrDefault(SqliteSchema.MetaEmbeddingModel) ?? "unknown",
            int.TryParse(meta.GetValueOrDefault(SqliteSchema.MetaDimension), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 0);
        if (stored != configured)
        {
            throw new EmbeddingSpaceMismatchException(Name, stored, configured,
                $"{DatabasePath} was written with {stored}, but the configured embedding generator is {configured}. "
                + "Configure the generator the file was written with, or point VectorStore:Sqlite:Path at a new file and ingest again.");
        }

        transaction.Commit();
        return (stored, false);
    }

    private static ImmutableSortedDictionary<string, NamespaceState> ReadNamespaces(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT n.name, n.next_seq, (SELECT COUNT(*) FROM records r WHERE r.namespace = n.name)
            FROM namespaces n
            """;
        using var reader = command.ExecuteReader();
        var namespaces = ImmutableSortedDictionary.CreateBuilder<string, NamespaceState>(StringComparer.Ordinal);
        while (reader.Read())
        {
            namespaces[reader.GetString(0)] = new NamespaceState(reader.GetInt64(2), reader.GetInt64(1), null);
        }

        return namespaces.ToImmutable();
    }

    private async Task<EmbeddingSpace> ResolveEmbeddingSpaceAsync(CancellationToken cancellationToken)
    {
        var metadata = _embedder.GetService<EmbeddingGeneratorMetadata>();
        var model = metadata?.DefaultModelId ?? _options.EmbeddingModel;
        var dimension = metadata?.DefaultModelDimensions;
        if (model is null || dimension is null or <= 0)
        {
            // The generator does not say: one probe tells the dimension (and often the model).
            var probe = await GenerateAsync(["dimension probe"], cancellationToken);
            dimension = probe[0].Vector.Length;
            model ??= probe[0].ModelId;
        }

        return new EmbeddingSpace(model ?? "unknown", dimension.Value);
    }

    // ---- Internals: embedding ----------------------------------------------------------------------------------

    private async Task EmbedAsync(PreparedRecord[] records, List<int> positions, int dimension, CancellationToken cancellationToken,
        EmbeddingGenerationOptions? purpose = null)
    {
        var batchSize = _options.EmbeddingBatchSize;
        for (var start = 0; start < positions.Count; start += batchSize)
        {
            var batch = positions.Skip(start).Take(batchSize).ToArray();
            var embeddings = await GenerateAsync(batch.Select(i => records[i].Text!), cancellationToken, purpose);
            if (embeddings.Count != batch.Length)
            {
                throw new VectorStoreException(Name, VectorStoreErrorKind.Internal,
                    $"The embedding generator returned {embeddings.Count} embeddings for {batch.Length} texts.");
            }

            for (var j = 0; j < batch.Length; j++)
            {
                var vector = embeddings[j].Vector.Span;
                if (vector.Length != dimension)
                {
                    throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition,
                        $"The embedding generator returned a {vector.Length}-dimensional vector; this store holds {dimension}-dimensional vectors.");
                }

                var record = records[batch[j]];
                var unit = VectorCodec.Normalise(vector) ?? throw new ArgumentException(
                    $"The text of '{record.Id}' embeds to a zero vector (nothing the embedder can represent).", nameof(records));
                records[batch[j]] = record with { UnitVector = unit };
            }
        }
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> texts, CancellationToken cancellationToken,
        EmbeddingGenerationOptions? purpose = null)
    {
        try
        {
            return await _embedder.GenerateAsync(texts, purpose, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable,
                $"The embedding generator failed: {ex.Message}", ex);
        }
    }

    // ---- Internals: validation and mapping ---------------------------------------------------------------------

    private static string CheckNamespace(string? ns) =>
        ns ?? throw new ArgumentNullException(nameof(ns), "The namespace must not be null; the default namespace is \"\".");

    private static IReadOnlyList<VectorRecord> CheckRecords(IReadOnlyList<VectorRecord>? records)
    {
        if (records is null || records.Count == 0)
        {
            throw new ArgumentException("An upsert needs at least one record.", nameof(records));
        }

        if (records.Count > MaxBatchSize)
        {
            throw new ArgumentException($"An upsert takes at most {MaxBatchSize} records (got {records.Count}).", nameof(records));
        }

        // Duplicate ids: the last one wins, in the position of that last occurrence.
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(records));
            CheckId(record.Id, nameof(records));
            if (record.Vector is null && record.Text is null)
            {
                throw new ArgumentException($"Record '{record.Id}' has neither text nor vector.", nameof(records));
            }

            last[record.Id] = i;
        }

        return last.Count == records.Count ? records : [.. records.Where((r, i) => last[r.Id] == i)];
    }

    private static void CheckId(string? id, string parameter)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("A record id must not be empty.", parameter);
        }

        if (id.Length > MaxIdLength)
        {
            throw new ArgumentException($"A record id is at most {MaxIdLength} characters (got {id.Length}).", parameter);
        }
    }

    private static void CheckIdList(IReadOnlyList<string> ids, string parameter)
    {
        if (ids.Count > MaxBatchSize)
        {
            throw new ArgumentException($"At most {MaxBatchSize} ids per call (got {ids.Count}).", parameter);
        }

        foreach (var id in ids)
        {
            if (id is null)
            {
                throw new ArgumentException("Ids must not be null.", parameter);
            }
        }
    }

    private static (string? Json, JsonElement? Element) CheckMetadata(VectorRecord record)
    {
        if (record.Metadata is not { } metadata || metadata.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return (null, null);
        }

        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The metadata of '{record.Id}' must be a JSON object (got {metadata.ValueKind}).", nameof(record));
        }

        var json = metadata.GetRawText();
        return (json, ParseStoredMetadata(json));
    }

    private static JsonElement ParseStoredMetadata(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static VectorRecord ToRecord(NamespaceIndex index, int slot, Include include)
    {
        var record = index.Slots[slot]!;
        return new VectorRecord(record.Id)
        {
            Text = include.Text ? record.Text : null,
            Metadata = include.Metadata ? record.Metadata : null,
            Vector = include.Vectors ? index.CopyVector(slot) : null,
        };
    }

    private void SetNextSequence(SqliteTransaction transaction, string ns, long nextSequence)
    {
        using var command = _connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO namespaces (name, next_seq) VALUES ($ns, $next)
            ON CONFLICT (name) DO UPDATE SET next_seq = excluded.next_seq
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$next", nextSequence);
        command.ExecuteNonQuery();
    }

    private VectorStoreException Translate(string operation, SqliteException ex)
    {
        SqliteLog.OperationFailed(_logger, operation, ex.SqliteErrorCode, ex);
        var (kind, what) = (ex.SqliteErrorCode & 0xFF) switch
        {
            5 or 6 => (VectorStoreErrorKind.Unavailable, "the database file is locked (is another process using it?)"),
            13 => (VectorStoreErrorKind.ResourceExhausted, "the disk is full"),
            3 or 8 or 10 or 14 => (VectorStoreErrorKind.Unavailable, "the database file cannot be read or written"),
            11 or 26 => (VectorStoreErrorKind.Internal, "the database file is damaged or not a SQLite database"),
            _ => (VectorStoreErrorKind.Internal, "SQLite reported an error"),
        };
        return new VectorStoreException(Name, kind, $"SQLite store {operation} failed on {DatabasePath}: {what} ({ex.Message}).", ex);
    }

    /// <summary>A validated record on its way in; <see cref="UnitVector"/> is set before the write.</summary>
    private sealed record PreparedRecord(string Id, string? Text, string? MetadataJson, JsonElement? Metadata)
    {
        public float[] UnitVector { get; init; } = [];
    }

    /// <summary>One namespace: its record count, next sequence, and its index once loaded.</summary>
    private sealed record NamespaceState(long Count, long NextSequence, NamespaceIndex? Index)
    {
        public static NamespaceState Loaded(NamespaceIndex index) => new(index.LiveCount, index.NextSequence, index);
    }

    /// <summary>Everything readers see, swapped atomically by writers.</summary>
    private sealed record StoreState(EmbeddingSpace Space, ImmutableSortedDictionary<string, NamespaceState> Namespaces)
    {
        public StoreState WithIndex(NamespaceIndex index) =>
            this with { Namespaces = Namespaces.SetItem(index.Name, NamespaceState.Loaded(index)) };
    }
}
