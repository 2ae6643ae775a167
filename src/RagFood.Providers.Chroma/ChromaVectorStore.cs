using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFood.Core.Embeddings;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Chroma.Internal;

namespace RagFood.Providers.Chroma;

/// <summary>An <see cref="IVectorStore"/> over a Chroma server's v2 REST API (provider name <c>chroma</c>).</summary>
/// <remarks>
/// <para><b>Namespaces</b> map to collections in the configured tenant and database: <c>""</c> is
/// <see cref="ChromaVectorStoreOptions.Collection"/> (default <c>foods</c>), namespace <c>x</c> is
/// <c>{Collection}__ns__x</c>; listing namespaces lists the collections with that prefix. A namespace must keep the
/// collection name within Chroma's rules (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; ending with a letter or
/// digit; at most 512 characters), otherwise it is an <see cref="ArgumentException"/>.</para>
/// <para><b>Embeddings</b> are computed by the service with the injected <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.
/// Collections created here are cosine (<see cref="ChromaVectorStoreOptions.Space"/>) and record the embedder's model
/// and dimension in their metadata (<see cref="EmbeddingModelKey"/>, <see cref="DimensionKey"/>). A text query or a
/// write that needs embedding is refused with <see cref="EmbeddingSpaceMismatchException"/> when the collection was
/// written by another model. A collection that recorded nothing (written by the original Python app) takes its model
/// from <see cref="ChromaVectorStoreOptions.EmbeddingModel"/>; without it, text queries are refused with a message
/// saying to set <c>VectorStore:Chroma:EmbeddingModel</c>. An empty unrecorded collection is adopted on first write.</para>
/// <para><b>Scores</b> are Chroma distances converted per the collection's space (see <see cref="ChromaSpace"/>);
/// the raw distance is kept in <see cref="ScoredRecord.RawScore"/>.</para>
/// <para><b>Writes</b> are upserts with full replacement: Chroma's upsert merges metadata, so the keys a stored record
/// has and the new one lacks are sent as <c>null</c> (Chroma's "remove key"); a record without text is stored with an
/// empty document, which reads back as no text. Metadata is flattened as described in <see cref="ChromaMetadataCodec"/>.</para>
/// <para><b>Range</b>: Chroma does not promise insertion order; the cursor is the decimal offset into Chroma's
/// <c>get</c> order (which, on a single-node server, is the order records were first added), <c>NextCursor</c> is
/// <c>""</c> at the end. Prefix fetch, prefix delete and prefix range scan ids page by page, since Chroma cannot
/// filter ids by prefix.</para>
/// <para><b>Filters</b> are translated by <see cref="ChromaWhereTranslator"/>; what Chroma cannot express is refused
/// before any request.</para>
/// </remarks>
public sealed class ChromaVectorStore : IVectorStore
{
    /// <summary>The provider name: the store's <see cref="Name"/> and its DI key.</summary>
    public const string ProviderName = "chroma";

    /// <summary>Name of the <see cref="HttpClient"/> registered with <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "RagFood.Providers.Chroma";

    /// <summary>Separates the configured collection name from a namespace: <c>foods__ns__x</c>.</summary>
    public const string NamespaceSeparator = "__ns__";

    /// <summary>Collection metadata key holding the embedding model that wrote the collection.</summary>
    public const string EmbeddingModelKey = "ragfood:embedding_model";

    /// <summary>Collection metadata key holding the dimension of the collection's vectors.</summary>
    public const string DimensionKey = "ragfood:dimension";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ChromaVectorStoreOptions _options;
    private readonly EmbeddingDispatcher _embedder;
    private readonly ILogger _logger;
    private readonly string _databasePath;
    private readonly ChromaCollections _collections;
    private readonly ChromaRecords _records;
    private readonly string _embedderModel;

    public ChromaVectorStore(
        IHttpClientFactory httpClientFactory,
        IOptions<ChromaVectorStoreOptions> options,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        ILogger<ChromaVectorStore>? logger = null)
    {
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(embedder);
        _logger = logger ?? NullLogger<ChromaVectorStore>.Instance;
        _databasePath = $"tenants/{Uri.EscapeDataString(_options.Tenant)}/databases/{Uri.EscapeDataString(_options.Database)}/";
        _embedder = new EmbeddingDispatcher(embedder, ProviderName, _options.BatchSize, "unknown-embedder");
        _embedderModel = _embedder.Model!;
        _ = ChromaSpaceParser.TryParse(_options.Space, out var space);
        NewCollectionSpace = space;
        _collections = new ChromaCollections(CreateClient, _databasePath, _options, space, () => EmbedderSpace, _logger);
        _records = new ChromaRecords(CreateClient, _databasePath);
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <summary>The space of the service's embedder (dimension 0 until known).</summary>
    public EmbeddingSpace EmbedderSpace => new(_embedderModel, _embedder.Dimension);

    /// <summary>Distance function used for collections this store creates.</summary>
    public ChromaSpace NewCollectionSpace { get; }

    /// <summary>Maps a namespace to its collection name (see the type's remarks).</summary>
    /// <exception cref="ArgumentException">The namespace cannot be part of a Chroma collection name.</exception>
    public string CollectionNameFor(string? @namespace)
    {
        if (VectorStoreRules.Namespace(@namespace).Length == 0)
        {
            return _options.Collection;
        }

        var name = _options.Collection + NamespaceSeparator + @namespace;
        if (!ChromaVectorStoreOptionsValidator.IsValidCollectionName(name))
        {
            throw new ArgumentException(
                $"Namespace '{@namespace}' cannot be mapped to a Chroma collection name ('{name}'): use letters, digits, '.', '_' and '-', end with a letter or digit, and keep the name within 512 characters.",
                nameof(@namespace));
        }

        return name;
    }

    /// <inheritdoc />
    public async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        var records = VectorStoreRules.Upsert(request);
        var name = CollectionNameFor(request.Namespace);
        foreach (var record in records)
        {
            ChromaMetadataCodec.Validate(record.Id, record.Metadata);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0)
        {
            return new UpsertResult(0);
        }

        return await OnCollectionAsync(name, create: true, async collection =>
        {
            var vectors = await ResolveVectorsAsync(collection, records, cancellationToken).ConfigureAwait(false);
            collection = vectors.Collection;
            var limits = await _records.GetLimitsAsync(cancellationToken).ConfigureAwait(false);
            var batchSize = Math.Max(1, Math.Min(_options.BatchSize, limits.MaxBatchSize));
            var written = new List<string>(records.Count);
            var client = CreateClient();
            for (var start = 0; start < records.Count; start += batchSize)
            {
                var count = Math.Min(batchSize, records.Count - start);
                try
                {
                    await _records.UpsertBatchAsync(client, collection, records, vectors.Vectors, start, count, limits.Base64, cancellationToken).ConfigureAwait(false);
                }
                catch (VectorStoreException e) when (written.Count > 0)
                {
                    throw new VectorStoreException(Name, e.Kind, $"{e.Message} ({written.Count} of {records.Count} records were written before the failure.)", e)
                    {
                        WrittenIds = written.ToArray(),
                    };
                }

                for (var i = start; i < start + count; i++)
                {
                    written.Add(records[i].Id);
                }
            }

            if (collection.Dimension is null)
            {
                _collections.Set(collection with { Dimension = vectors.Vectors[0].Length });
            }

            ChromaLog.Upserted(_logger, records.Count, collection.Name);
            return new UpsertResult(records.Count) { WrittenIds = written };
        }, whenMissing: new UpsertResult(0), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Query(query);

        // Without a collection to compare with, a vector must at least fit the embedder's space.
        var embedderDimension = _embedder.Dimension;
        var where = query.Filter is null ? null : ChromaWhereTranslator.Translate(query.Filter);
        var name = CollectionNameFor(query.Namespace);

        var collectionExists = await _collections.FindAsync(name, cancellationToken).ConfigureAwait(false) is not null;
        if (!collectionExists && query.Vector is { } orphan)
        {
            VectorStoreRules.Dimension(orphan, embedderDimension, "The query vector", Name);
        }

        return await OnCollectionAsync<IReadOnlyList<ScoredRecord>>(name, create: false, async collection =>
        {
            float[] vector;
            if (query.Text is not null)
            {
                collection = EnsureEmbedderFits(collection, "query");
                vector = await _embedder.EmbedAsync(query.Text, collection.KnownDimension ?? 0, cancellationToken, EmbeddingPurpose.ForQuery()).ConfigureAwait(false);
            }
            else
            {
                vector = query.Vector!;
                CheckGivenDimension(collection, vector.Length, "the query vector");
            }

            using var document = await CreateClient().SendAsync(HttpMethod.Post, _records.CollectionPath(collection, "query"), writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("query_embeddings");
                ChromaJson.WriteFloatArray(writer, vector);
                writer.WriteEndArray();
                writer.WriteNumber("n_results", query.TopK);
                if (where is not null)
                {
                    writer.WritePropertyName("where");
                    writer.WriteRawValue(where, skipInputValidation: true);
                }

                writer.WriteStartArray("include");
                writer.WriteStringValue("distances");
                ChromaJson.WriteIncludes(writer, query.Include);
                if (collection.Space == ChromaSpace.L2 && !query.Include.Vectors)
                {
                    // l2 distances over unnormalised vectors do not map to the one relevance scale; the cosine does.
                    writer.WriteStringValue("embeddings");
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            return ChromaJson.ReadQueryResult(document!.RootElement, collection.Space, query.Include, vector);
        }, whenMissing: [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Fetch(request);
        var name = CollectionNameFor(request.Namespace);
        if (request.Ids is { } ids)
        {
            if (ids.Count == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return [];
            }

            return await OnCollectionAsync<IReadOnlyList<VectorRecord?>>(name, create: false, async collection =>
            {
                var found = new Dictionary<string, VectorRecord>(StringComparer.Ordinal);
                foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(ChromaRecords.ScanPageSize))
                {
                    foreach (var record in await _records.GetByIdsAsync(collection, chunk, request.Include, cancellationToken).ConfigureAwait(false))
                    {
                        found[record.Id] = record;
                    }
                }

                return ids.Select(id => found.GetValueOrDefault(id)).ToArray();
            }, whenMissing: new VectorRecord?[ids.Count], cancellationToken).ConfigureAwait(false);
        }

        var prefix = request.Prefix!;
        return await OnCollectionAsync<IReadOnlyList<VectorRecord?>>(name, create: false, async collection =>
        {
            var scan = await _records.ScanIdsAsync(collection, 0, prefix, int.MaxValue, cancellationToken).ConfigureAwait(false);
            return await _records.GetInOrderAsync(collection, scan.Matches.Select(m => m.Id).ToList(), request.Include, cancellationToken).ConfigureAwait(false);
        }, whenMissing: [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Delete(request);

        var where = request.Filter is null ? null : ChromaWhereTranslator.Translate(request.Filter);
        var name = CollectionNameFor(request.Namespace);
        return await OnCollectionAsync(name, create: false, async collection =>
        {
            List<string> targets;
            if (request.Ids is { } ids)
            {
                targets = [];
                foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(ChromaRecords.ScanPageSize))
                {
                    targets.AddRange(await _records.GetIdsAsync(collection, chunk, null, cancellationToken).ConfigureAwait(false));
                }
            }
            else if (where is not null)
            {
                targets = await _records.GetIdsAsync(collection, null, where, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var scan = await _records.ScanIdsAsync(collection, 0, request.Prefix!, int.MaxValue, cancellationToken).ConfigureAwait(false);
                targets = scan.Matches.Select(m => m.Id).ToList();
            }

            await _records.DeleteIdsAsync(collection, targets, cancellationToken).ConfigureAwait(false);
            return (long)targets.Count;
        }, whenMissing: 0L, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Range(request);
        var offset = ParseCursor(request.Cursor);
        var name = CollectionNameFor(request.Namespace);
        return await OnCollectionAsync(name, create: false, async collection =>
        {
            if (request.Prefix is null)
            {
                // One record more than asked tells whether a further page exists.
                var page = await _records.GetPageAsync(collection, offset, request.Limit + 1, request.Include, cancellationToken).ConfigureAwait(false);
                var more = page.Count > request.Limit;
                var records = more ? page.GetRange(0, request.Limit) : page;
                return new RangePage(more ? (offset + request.Limit).ToString(CultureInfo.InvariantCulture) : "", records);
            }

            var scan = await _records.ScanIdsAsync(collection, offset, request.Prefix, request.Limit + 1, cancellationToken).ConfigureAwait(false);
            var hasMore = scan.Matches.Count > request.Limit;
            var taken = hasMore ? scan.Matches.GetRange(0, request.Limit) : scan.Matches;
            var fetched = await _records.GetInOrderAsync(collection, taken.Select(m => m.Id).ToList(), request.Include, cancellationToken).ConfigureAwait(false);
            var next = hasMore ? scan.Matches[request.Limit].Offset.ToString(CultureInfo.InvariantCulture) : "";
            return new RangePage(next, fetched.OfType<VectorRecord>().ToList());
        }, whenMissing: new RangePage("", []), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var collections = await _collections.ListOwnAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        var client = CreateClient();
        ChromaCollection? main = null;
        foreach (var (ns, collection) in collections)
        {
            using var document = await client.SendAsync(HttpMethod.Get, _records.CollectionPath(collection, "count"), null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
            counts[ns] = document is null ? 0 : document.RootElement.GetInt64();
            if (ns.Length == 0)
            {
                main = collection;
            }
        }

        var model = main?.RecordedModel ?? _options.EmbeddingModel ?? _embedderModel;
        var dimension = main?.KnownDimension ?? _embedder.Dimension;
        var space = main?.Space ?? NewCollectionSpace;
        return new VectorStoreInfo(Name, counts.Values.Sum(), dimension, space.ToSimilarity(), model) { Namespaces = counts };
    }

    /// <inheritdoc />
    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Reset(@namespace, all);
        if (all)
        {
            foreach (var (_, collection) in await _collections.ListOwnAsync(cancellationToken).ConfigureAwait(false))
            {
                await _records.EmptyAsync(collection, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var name = CollectionNameFor(@namespace);
        await OnCollectionAsync(name, create: false, async collection =>
        {
            await _records.EmptyAsync(collection, cancellationToken).ConfigureAwait(false);
            return true;
        }, whenMissing: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var names = (await _collections.ListOwnAsync(cancellationToken).ConfigureAwait(false)).Select(c => c.Namespace).ToList();
        if (!names.Contains(""))
        {
            names.Insert(0, "");
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        var name = CollectionNameFor(VectorStoreRules.NamespaceToDelete(@namespace));
        _collections.Forget(name);
        using var document = await CreateClient().SendAsync(HttpMethod.Delete, $"{_databasePath}collections/{Uri.EscapeDataString(name)}", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        _collections.Forget(name);
        return document is not null;
    }

    private ChromaRestClient CreateClient() => new(_httpClientFactory.CreateClient(HttpClientName), Name, _logger);

    /// <summary>Runs <paramref name="action"/> on the named collection, looking it up (or creating it) first.</summary>
    /// <remarks>Collection ids are cached; when Chroma says the collection is gone (deleted by someone else, or
    /// recreated under a new id), the cache entry is dropped and the action runs once more on a fresh lookup.</remarks>
    private async Task<T> OnCollectionAsync<T>(string name, bool create, Func<ChromaCollection, Task<T>> action, T whenMissing, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var collection = create
                ? await _collections.GetOrCreateAsync(name, cancellationToken).ConfigureAwait(false)
                : await _collections.FindAsync(name, cancellationToken).ConfigureAwait(false);
            if (collection is null)
            {
                return whenMissing;
            }

            try
            {
                return await action(collection).ConfigureAwait(false);
            }
            catch (VectorStoreException e) when (e.Kind == VectorStoreErrorKind.NotFound && attempt == 0)
            {
                ChromaLog.CollectionVanished(_logger, name);
                _collections.Forget(name);
            }
        }
    }

    /// <summary>Checks that the service's embedder may write to, or query, the collection.</summary>
    private ChromaCollection EnsureEmbedderFits(ChromaCollection collection, string operation)
    {
        var model = collection.RecordedModel ?? _options.EmbeddingModel;
        var embedder = EmbedderSpace;
        if (model is null)
        {
            if (collection.KnownDimension is null)
            {
                // Nothing was ever written: the collection is in no space yet, the embedder's will be recorded.
                return collection;
            }

            var reason = $"Chroma collection '{collection.Name}' does not record which embedding model wrote its {collection.KnownDimension}-d vectors, "
                + $"so a text {operation} with '{embedder.Model}' could return garbage. Set VectorStore:Chroma:EmbeddingModel to the model it was written with (the original app used mxbai-embed-large).";
            ChromaLog.Refused(_logger, operation, collection.Name, reason);
            throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition, reason);
        }

        var dimension = collection.KnownDimension ?? 0;
        if (!EmbeddingSpaceRule.AreSame(new EmbeddingSpace(model, dimension), embedder))
        {
            var expected = new EmbeddingSpace(model, dimension);
            ChromaLog.Refused(_logger, operation, collection.Name, $"collection written by {expected}, service embeds with {embedder}");
            throw new EmbeddingSpaceMismatchException(Name, expected, embedder,
                $"Chroma collection '{collection.Name}' was written with {expected}; the service embeds with {embedder}. Configure the embedder that wrote it, or ingest into another collection.");
        }

        return collection;
    }

    private static void CheckGivenDimension(ChromaCollection collection, int length, string what)
    {
        if (collection.KnownDimension is { } dimension && dimension != length)
        {
            throw new ArgumentException($"{what} has {length} dimensions; Chroma collection '{collection.Name}' holds {dimension}-d vectors.");
        }
    }

    private async Task<(ChromaCollection Collection, float[][] Vectors)> ResolveVectorsAsync(ChromaCollection collection, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken)
    {
        VectorRecord? given = null;
        foreach (var record in records.Where(r => r.Vector is not null))
        {
            given ??= record;
            CheckGivenDimension(collection, record.Vector!.Length, $"The vector of record '{record.Id}'");
        }

        if (records.Any(r => r.Vector is null))
        {
            collection = EnsureEmbedderFits(collection, "upsert");
            collection = await RecordEmbedderIfUnrecordedAsync(collection, cancellationToken).ConfigureAwait(false);
        }

        // Given vectors share one dimension (the kernel checked); embedded ones must have it too.
        var expected = collection.KnownDimension ?? given?.Vector!.Length ?? 0;
        var (vectors, _) = await _embedder.ResolveAsync(records, expected, null, cancellationToken).ConfigureAwait(false);
        return (collection, vectors);
    }

    /// <summary>An empty collection created by someone else records the embedder's space on its first write.</summary>
    private async Task<ChromaCollection> RecordEmbedderIfUnrecordedAsync(ChromaCollection collection, CancellationToken cancellationToken)
    {
        if (collection.RecordedModel is not null || _options.EmbeddingModel is not null || collection.KnownDimension is not null)
        {
            return collection;
        }

        var dimension = _embedder.Dimension;
        using var _ = await CreateClient().SendAsync(HttpMethod.Put, $"{_databasePath}collections/{Uri.EscapeDataString(collection.Id)}", writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("new_metadata");
            foreach (var (key, value) in collection.Metadata)
            {
                if (key is not EmbeddingModelKey and not DimensionKey)
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }
            }

            writer.WriteString(EmbeddingModelKey, _embedderModel);
            if (dimension > 0)
            {
                writer.WriteNumber(DimensionKey, dimension);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        ChromaLog.EmbeddingSpaceRecorded(_logger, collection.Name, _embedderModel, dimension > 0 ? dimension : null);
        var updated = collection with { RecordedModel = _embedderModel, RecordedDimension = dimension > 0 ? dimension : null };
        _collections.Set(updated);
        return updated;
    }

    private static long ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return 0;
        }

        if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            throw new ArgumentException($"Cursor '{cursor}' is not a chroma range cursor (a decimal offset).", nameof(cursor));
        }

        return offset;
    }

}
