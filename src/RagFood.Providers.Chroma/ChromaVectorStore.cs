using System.Collections.Concurrent;
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

    /// <summary>Largest TopK a query may ask for (Upstash's limit, kept for every store).</summary>
    public const int MaxTopK = 1000;

    private const int ScanPageSize = 1000;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ChromaVectorStoreOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly ILogger _logger;
    private readonly string _databasePath;
    private readonly ConcurrentDictionary<string, ChromaCollection> _collections = new(StringComparer.Ordinal);
    private readonly string _embedderModel;
    private int _embedderDimension;
    private ServerLimits? _limits;

    public ChromaVectorStore(
        IHttpClientFactory httpClientFactory,
        IOptions<ChromaVectorStoreOptions> options,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        ILogger<ChromaVectorStore>? logger = null)
    {
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _logger = logger ?? NullLogger<ChromaVectorStore>.Instance;
        _databasePath = $"tenants/{Uri.EscapeDataString(_options.Tenant)}/databases/{Uri.EscapeDataString(_options.Database)}/";
        var metadata = embedder.GetService<EmbeddingGeneratorMetadata>();
        _embedderModel = string.IsNullOrWhiteSpace(metadata?.DefaultModelId) ? "unknown-embedder" : metadata!.DefaultModelId!;
        _embedderDimension = metadata?.DefaultModelDimensions ?? 0;
        _ = ChromaSpaceParser.TryParse(_options.Space, out var space);
        NewCollectionSpace = space;
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <summary>The space of the service's embedder (dimension 0 until known).</summary>
    public EmbeddingSpace EmbedderSpace => new(_embedderModel, Volatile.Read(ref _embedderDimension));

    /// <summary>Distance function used for collections this store creates.</summary>
    public ChromaSpace NewCollectionSpace { get; }

    /// <summary>Maps a namespace to its collection name (see the type's remarks).</summary>
    /// <exception cref="ArgumentException">The namespace cannot be part of a Chroma collection name.</exception>
    public string CollectionNameFor(string? @namespace)
    {
        if (string.IsNullOrEmpty(@namespace))
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
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Records);
        var name = CollectionNameFor(request.Namespace);
        var records = ValidateAndDedupe(request.Records);
        if (records.Count == 0)
        {
            return new UpsertResult(0);
        }

        return await OnCollectionAsync(name, create: true, async collection =>
        {
            var vectors = await ResolveVectorsAsync(collection, records, cancellationToken).ConfigureAwait(false);
            collection = vectors.Collection;
            var limits = await GetLimitsAsync(cancellationToken).ConfigureAwait(false);
            var batchSize = Math.Max(1, Math.Min(_options.BatchSize, limits.MaxBatchSize));
            var written = new List<string>(records.Count);
            var client = CreateClient();
            for (var start = 0; start < records.Count; start += batchSize)
            {
                var count = Math.Min(batchSize, records.Count - start);
                try
                {
                    await UpsertBatchAsync(client, collection, records, vectors.Vectors, start, count, limits.Base64, cancellationToken).ConfigureAwait(false);
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
                _collections[collection.Name] = collection with { Dimension = vectors.Vectors[0].Length };
            }

            Log.Upserted(_logger, records.Count, collection.Name);
            return new UpsertResult(records.Count) { WrittenIds = written };
        }, whenMissing: new UpsertResult(0), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if ((query.Text is null) == (query.Vector is null))
        {
            throw new ArgumentException("A query needs exactly one of Text and Vector.", nameof(query));
        }

        if (query.Text is not null && string.IsNullOrWhiteSpace(query.Text))
        {
            throw new ArgumentException("The query text is empty.", nameof(query));
        }

        if (query.Vector is { Length: 0 })
        {
            throw new ArgumentException("The query vector is empty.", nameof(query));
        }

        if (query.TopK is < 1 or > MaxTopK)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.TopK, $"TopK must be between 1 and {MaxTopK}.");
        }

        // Without a collection to compare with, a vector must at least fit the embedder's space.
        var embedderDimension = Volatile.Read(ref _embedderDimension);
        var where = query.Filter is null ? null : ChromaWhereTranslator.Translate(query.Filter);
        var name = CollectionNameFor(query.Namespace);

        var collectionExists = await FindCollectionAsync(name, cancellationToken).ConfigureAwait(false) is not null;
        if (!collectionExists && query.Vector is { } orphan && embedderDimension > 0 && orphan.Length != embedderDimension)
        {
            throw new ArgumentException($"The query vector has {orphan.Length} dimensions; the store embeds {embedderDimension}-d vectors.", nameof(query));
        }

        return await OnCollectionAsync<IReadOnlyList<ScoredRecord>>(name, create: false, async collection =>
        {
            float[] vector;
            if (query.Text is not null)
            {
                collection = EnsureEmbedderFits(collection, "query");
                vector = (await EmbedAsync([query.Text], cancellationToken, EmbeddingPurpose.ForQuery()).ConfigureAwait(false))[0];
                CheckEmbeddedDimension(collection, vector.Length);
            }
            else
            {
                vector = query.Vector!;
                CheckGivenDimension(collection, vector.Length, "the query vector");
            }

            using var document = await CreateClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "query"), writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("query_embeddings");
                WriteFloatArray(writer, vector);
                writer.WriteEndArray();
                writer.WriteNumber("n_results", query.TopK);
                if (where is not null)
                {
                    writer.WritePropertyName("where");
                    writer.WriteRawValue(where, skipInputValidation: true);
                }

                writer.WriteStartArray("include");
                writer.WriteStringValue("distances");
                WriteIncludes(writer, query.Include);
                if (collection.Space == ChromaSpace.L2 && !query.Include.Vectors)
                {
                    // l2 distances over unnormalised vectors do not map to the one relevance scale; the cosine does.
                    writer.WriteStringValue("embeddings");
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            return ReadQueryResult(document!.RootElement, collection.Space, query.Include, vector);
        }, whenMissing: [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Ids is null) == (request.Prefix is null))
        {
            throw new ArgumentException("A fetch needs exactly one of Ids and Prefix.", nameof(request));
        }

        var name = CollectionNameFor(request.Namespace);
        if (request.Ids is { } ids)
        {
            ValidateIds(ids);
            if (ids.Count == 0)
            {
                return [];
            }

            return await OnCollectionAsync<IReadOnlyList<VectorRecord?>>(name, create: false, async collection =>
            {
                var found = new Dictionary<string, VectorRecord>(StringComparer.Ordinal);
                foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(ScanPageSize))
                {
                    foreach (var record in await GetByIdsAsync(collection, chunk, request.Include, cancellationToken).ConfigureAwait(false))
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
            var scan = await ScanIdsAsync(collection, 0, prefix, int.MaxValue, cancellationToken).ConfigureAwait(false);
            return await GetInOrderAsync(collection, scan.Matches.Select(m => m.Id).ToList(), request.Include, cancellationToken).ConfigureAwait(false);
        }, whenMissing: [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var given = (request.Ids is null ? 0 : 1) + (request.Prefix is null ? 0 : 1) + (request.Filter is null ? 0 : 1);
        if (given != 1)
        {
            throw new ArgumentException("A delete needs exactly one of Ids, Prefix and Filter.", nameof(request));
        }

        if (request.Ids is not null)
        {
            ValidateIds(request.Ids);
        }

        var where = request.Filter is null ? null : ChromaWhereTranslator.Translate(request.Filter);
        var name = CollectionNameFor(request.Namespace);
        return await OnCollectionAsync(name, create: false, async collection =>
        {
            List<string> targets;
            if (request.Ids is { } ids)
            {
                targets = [];
                foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(ScanPageSize))
                {
                    targets.AddRange(await GetIdsAsync(collection, chunk, null, cancellationToken).ConfigureAwait(false));
                }
            }
            else if (where is not null)
            {
                targets = await GetIdsAsync(collection, null, where, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var scan = await ScanIdsAsync(collection, 0, request.Prefix!, int.MaxValue, cancellationToken).ConfigureAwait(false);
                targets = scan.Matches.Select(m => m.Id).ToList();
            }

            await DeleteIdsAsync(collection, targets, cancellationToken).ConfigureAwait(false);
            return (long)targets.Count;
        }, whenMissing: 0L, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Limit, 1, nameof(request));
        var offset = ParseCursor(request.Cursor);
        var name = CollectionNameFor(request.Namespace);
        return await OnCollectionAsync(name, create: false, async collection =>
        {
            if (request.Prefix is null)
            {
                // One record more than asked tells whether a further page exists.
                var page = await GetPageAsync(collection, offset, request.Limit + 1, request.Include, cancellationToken).ConfigureAwait(false);
                var more = page.Count > request.Limit;
                var records = more ? page.GetRange(0, request.Limit) : page;
                return new RangePage(more ? (offset + request.Limit).ToString(CultureInfo.InvariantCulture) : "", records);
            }

            var scan = await ScanIdsAsync(collection, offset, request.Prefix, request.Limit + 1, cancellationToken).ConfigureAwait(false);
            var hasMore = scan.Matches.Count > request.Limit;
            var taken = hasMore ? scan.Matches.GetRange(0, request.Limit) : scan.Matches;
            var fetched = await GetInOrderAsync(collection, taken.Select(m => m.Id).ToList(), request.Include, cancellationToken).ConfigureAwait(false);
            var next = hasMore ? scan.Matches[request.Limit].Offset.ToString(CultureInfo.InvariantCulture) : "";
            return new RangePage(next, fetched.OfType<VectorRecord>().ToList());
        }, whenMissing: new RangePage("", []), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var collections = await ListOwnCollectionsAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        var client = CreateClient();
        ChromaCollection? main = null;
        foreach (var (ns, collection) in collections)
        {
            using var document = await client.SendAsync(HttpMethod.Get, CollectionPath(collection, "count"), null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
            counts[ns] = document is null ? 0 : document.RootElement.GetInt64();
            if (ns.Length == 0)
            {
                main = collection;
            }
        }

        var model = main?.RecordedModel ?? _options.EmbeddingModel ?? _embedderModel;
        var dimension = main?.KnownDimension ?? Volatile.Read(ref _embedderDimension);
        var space = main?.Space ?? NewCollectionSpace;
        return new VectorStoreInfo(Name, counts.Values.Sum(), dimension, space.ToSimilarity(), model) { Namespaces = counts };
    }

    /// <inheritdoc />
    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        if (all)
        {
            foreach (var (_, collection) in await ListOwnCollectionsAsync(cancellationToken).ConfigureAwait(false))
            {
                await EmptyAsync(collection, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var name = CollectionNameFor(@namespace);
        await OnCollectionAsync(name, create: false, async collection =>
        {
            await EmptyAsync(collection, cancellationToken).ConfigureAwait(false);
            return true;
        }, whenMissing: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        var names = (await ListOwnCollectionsAsync(cancellationToken).ConfigureAwait(false)).Select(c => c.Namespace).ToList();
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
        ArgumentNullException.ThrowIfNull(@namespace);
        if (@namespace.Length == 0)
        {
            throw new ArgumentException("The default namespace cannot be deleted.", nameof(@namespace));
        }

        var name = CollectionNameFor(@namespace);
        _collections.TryRemove(name, out _);
        using var document = await CreateClient().SendAsync(HttpMethod.Delete, $"{_databasePath}collections/{Uri.EscapeDataString(name)}", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        _collections.TryRemove(name, out _);
        return document is not null;
    }

    private ChromaRestClient CreateClient() => new(_httpClientFactory.CreateClient(HttpClientName), Name, _logger);

    private string CollectionPath(ChromaCollection collection, string operation) =>
        $"{_databasePath}collections/{Uri.EscapeDataString(collection.Id)}/{operation}";

    /// <summary>Runs <paramref name="action"/> on the named collection, looking it up (or creating it) first.</summary>
    /// <remarks>Collection ids are cached; when Chroma says the collection is gone (deleted by someone else, or
    /// recreated under a new id), the cache entry is dropped and the action runs once more on a fresh lookup.</remarks>
    private async Task<T> OnCollectionAsync<T>(string name, bool create, Func<ChromaCollection, Task<T>> action, T whenMissing, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var collection = create
                ? await GetOrCreateCollectionAsync(name, cancellationToken).ConfigureAwait(false)
                : await FindCollectionAsync(name, cancellationToken).ConfigureAwait(false);
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
                Log.CollectionVanished(_logger, name);
                _collections.TryRemove(name, out _);
            }
        }
    }

    private async Task<ChromaCollection?> FindCollectionAsync(string name, CancellationToken cancellationToken)
    {
        if (_collections.TryGetValue(name, out var cached))
        {
            return cached;
        }

        using var document = await CreateClient().SendAsync(HttpMethod.Get, $"{_databasePath}collections/{Uri.EscapeDataString(name)}", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        return Remember(ChromaCollection.Parse(document.RootElement));
    }

    private async Task<ChromaCollection> GetOrCreateCollectionAsync(string name, CancellationToken cancellationToken)
    {
        if (_collections.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var dimension = Volatile.Read(ref _embedderDimension);
        using var document = await CreateClient().SendAsync(HttpMethod.Post, $"{_databasePath}collections", writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteBoolean("get_or_create", true);
            writer.WriteStartObject("metadata");
            writer.WriteString(EmbeddingModelKey, _embedderModel);
            if (dimension > 0)
            {
                writer.WriteNumber(DimensionKey, dimension);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("configuration");
            writer.WriteStartObject("hnsw");
            writer.WriteString("space", NewCollectionSpace.ToWireName());
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return Remember(ChromaCollection.Parse(document!.RootElement));
    }

    private ChromaCollection Remember(ChromaCollection collection)
    {
        var added = _collections.GetOrAdd(collection.Name, collection);
        if (ReferenceEquals(added, collection) && _logger.IsEnabled(LogLevel.Information))
        {
            Log.CollectionReady(_logger, collection.Name, collection.Id, collection.Space, collection.RecordedModel ?? _options.EmbeddingModel ?? "(not recorded)");
        }

        return added;
    }

    private async Task<IReadOnlyList<(string Namespace, ChromaCollection Collection)>> ListOwnCollectionsAsync(CancellationToken cancellationToken)
    {
        var client = CreateClient();
        var result = new List<(string, ChromaCollection)>();
        var prefix = _options.Collection + NamespaceSeparator;
        const int pageSize = 100;
        for (var offset = 0; ; offset += pageSize)
        {
            using var document = await client.SendAsync(HttpMethod.Get, $"{_databasePath}collections?limit={pageSize}&offset={offset}", null, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            var page = document!.RootElement;
            foreach (var item in page.EnumerateArray())
            {
                var collection = ChromaCollection.Parse(item);
                if (collection.Name == _options.Collection)
                {
                    result.Add(("", collection));
                }
                else if (collection.Name.StartsWith(prefix, StringComparison.Ordinal) && collection.Name.Length > prefix.Length)
                {
                    result.Add((collection.Name[prefix.Length..], collection));
                }
                else
                {
                    continue;
                }

                // Listing sees the current id; refresh the cache so a recreated collection is not addressed by its old id.
                _collections[collection.Name] = collection;
            }

            if (page.GetArrayLength() < pageSize)
            {
                return result;
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
            Log.Refused(_logger, operation, collection.Name, reason);
            throw new VectorStoreException(Name, VectorStoreErrorKind.FailedPrecondition, reason);
        }

        var dimension = collection.KnownDimension ?? 0;
        if (!SameModel(model, embedder.Model) || (dimension > 0 && embedder.Dimension > 0 && dimension != embedder.Dimension))
        {
            var expected = new EmbeddingSpace(model, dimension);
            Log.Refused(_logger, operation, collection.Name, $"collection written by {expected}, service embeds with {embedder}");
            throw new EmbeddingSpaceMismatchException(Name, expected, embedder,
                $"Chroma collection '{collection.Name}' was written with {expected}; the service embeds with {embedder}. Configure the embedder that wrote it, or ingest into another collection.");
        }

        return collection;
    }

    private void CheckEmbeddedDimension(ChromaCollection collection, int length)
    {
        if (collection.KnownDimension is { } dimension && dimension != length)
        {
            var expected = new EmbeddingSpace(collection.RecordedModel ?? _options.EmbeddingModel ?? "unknown", dimension);
            throw new EmbeddingSpaceMismatchException(Name, expected, new EmbeddingSpace(_embedderModel, length),
                $"The embedder produced {length}-d vectors for Chroma collection '{collection.Name}', which holds {dimension}-d vectors.");
        }
    }

    private static void CheckGivenDimension(ChromaCollection collection, int length, string what)
    {
        if (collection.KnownDimension is { } dimension && dimension != length)
        {
            throw new ArgumentException($"{what} has {length} dimensions; Chroma collection '{collection.Name}' holds {dimension}-d vectors.");
        }
    }

    private static bool SameModel(string a, string b) => string.Equals(NormalizeModel(a), NormalizeModel(b), StringComparison.OrdinalIgnoreCase);

    // Ollama names "mxbai-embed-large" and "mxbai-embed-large:latest" are the same model.
    private static string NormalizeModel(string model) =>
        model.EndsWith(":latest", StringComparison.OrdinalIgnoreCase) ? model[..^":latest".Length] : model;

    private async Task<(ChromaCollection Collection, float[][] Vectors)> ResolveVectorsAsync(ChromaCollection collection, List<VectorRecord> records, CancellationToken cancellationToken)
    {
        var vectors = new float[records.Count][];
        var toEmbed = new List<int>();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].Vector is { } given)
            {
                vectors[i] = given;
            }
            else
            {
                toEmbed.Add(i);
            }
        }

        if (toEmbed.Count > 0)
        {
            collection = EnsureEmbedderFits(collection, "upsert");
            collection = await RecordEmbedderIfUnrecordedAsync(collection, cancellationToken).ConfigureAwait(false);
            foreach (var chunk in toEmbed.Chunk(Math.Max(1, _options.BatchSize)))
            {
                var embedded = await EmbedAsync(chunk.Select(i => records[i].Text!).ToList(), cancellationToken).ConfigureAwait(false);
                for (var j = 0; j < chunk.Length; j++)
                {
                    vectors[chunk[j]] = embedded[j];
                }
            }

            CheckEmbeddedDimension(collection, vectors[toEmbed[0]].Length);
        }

        var first = vectors[0].Length;
        for (var i = 0; i < vectors.Length; i++)
        {
            if (vectors[i].Length != first)
            {
                throw new ArgumentException($"Record '{records[i].Id}' has a {vectors[i].Length}-d vector while record '{records[0].Id}' has {first}; one upsert writes one dimension.");
            }

            if (records[i].Vector is not null)
            {
                CheckGivenDimension(collection, vectors[i].Length, $"The vector of record '{records[i].Id}'");
            }
        }

        return (collection, vectors);
    }

    /// <summary>An empty collection created by someone else records the embedder's space on its first write.</summary>
    private async Task<ChromaCollection> RecordEmbedderIfUnrecordedAsync(ChromaCollection collection, CancellationToken cancellationToken)
    {
        if (collection.RecordedModel is not null || _options.EmbeddingModel is not null || collection.KnownDimension is not null)
        {
            return collection;
        }

        var dimension = Volatile.Read(ref _embedderDimension);
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
        Log.EmbeddingSpaceRecorded(_logger, collection.Name, _embedderModel, dimension > 0 ? dimension : null);
        var updated = collection with { RecordedModel = _embedderModel, RecordedDimension = dimension > 0 ? dimension : null };
        _collections[collection.Name] = updated;
        return updated;
    }

    private async Task<float[][]> EmbedAsync(IList<string> texts, CancellationToken cancellationToken, EmbeddingGenerationOptions? purpose = null)
    {
        GeneratedEmbeddings<Embedding<float>> embeddings;
        try
        {
            embeddings = await _embedder.GenerateAsync(texts, purpose, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException e)
        {
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable, $"The embedder '{_embedderModel}' is unreachable: {e.Message}", e);
        }

        if (embeddings.Count != texts.Count)
        {
            throw new VectorStoreException(Name, VectorStoreErrorKind.Internal, $"The embedder '{_embedderModel}' returned {embeddings.Count} embeddings for {texts.Count} texts.");
        }

        var result = new float[texts.Count][];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = embeddings[i].Vector.ToArray();
        }

        if (result.Length > 0 && Volatile.Read(ref _embedderDimension) == 0)
        {
            Volatile.Write(ref _embedderDimension, result[0].Length);
        }

        return result;
    }

    private async Task UpsertBatchAsync(ChromaRestClient client, ChromaCollection collection, List<VectorRecord> records, float[][] vectors, int start, int count, bool base64, CancellationToken cancellationToken)
    {
        // Chroma's upsert merges metadata; RagFood's upsert replaces it. Keys the stored records have and the new ones
        // lack are sent as null, which Chroma treats as "remove".
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = records[start + i].Id;
        }

        var storedKeys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var existing = await client.SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            WriteStringArray(writer, "ids", ids);
            writer.WriteStartArray("include");
            writer.WriteStringValue("metadatas");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false))
        {
            var root = existing!.RootElement;
            if (root.TryGetProperty("metadatas", out var metadatas) && metadatas.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var id in root.GetProperty("ids").EnumerateArray())
                {
                    var keys = ChromaMetadataCodec.Keys(metadatas[index++]).ToList();
                    if (keys.Count > 0)
                    {
                        storedKeys[id.GetString()!] = keys;
                    }
                }
            }
        }

        using var _ = await client.SendAsync(HttpMethod.Post, CollectionPath(collection, "upsert"), writer =>
        {
            writer.WriteStartObject();
            WriteStringArray(writer, "ids", ids);
            writer.WriteStartArray("embeddings");
            for (var i = start; i < start + count; i++)
            {
                if (base64)
                {
                    writer.WriteBase64StringValue(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                }
                else
                {
                    WriteFloatArray(writer, vectors[i]);
                }
            }

            writer.WriteEndArray();
            writer.WriteStartArray("documents");
            for (var i = start; i < start + count; i++)
            {
                writer.WriteStringValue(records[i].Text ?? "");
            }

            writer.WriteEndArray();
            writer.WriteStartArray("metadatas");
            for (var i = start; i < start + count; i++)
            {
                var record = records[i];
                IEnumerable<string>? removals = null;
                if (storedKeys.TryGetValue(record.Id, out var keys))
                {
                    var newKeys = record.Metadata is { ValueKind: JsonValueKind.Object } m
                        ? m.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                        : [];
                    removals = keys.Where(k => !newKeys.Contains(k));
                }

                ChromaMetadataCodec.Write(writer, record.Metadata, removals);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<VectorRecord>> GetByIdsAsync(ChromaCollection collection, IReadOnlyList<string> ids, Include include, CancellationToken cancellationToken)
    {
        using var document = await CreateClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            WriteStringArray(writer, "ids", ids);
            writer.WriteStartArray("include");
            WriteIncludes(writer, include);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return ReadGetResult(document!.RootElement, include);
    }

    private async Task<IReadOnlyList<VectorRecord?>> GetInOrderAsync(ChromaCollection collection, IReadOnlyList<string> ids, Include include, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, VectorRecord>(StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(ScanPageSize))
        {
            foreach (var record in await GetByIdsAsync(collection, chunk, include, cancellationToken).ConfigureAwait(false))
            {
                found[record.Id] = record;
            }
        }

        // A record deleted between the scan and the read is simply left out.
        return ids.Where(found.ContainsKey).Select(id => (VectorRecord?)found[id]).ToList();
    }

    private async Task<List<VectorRecord>> GetPageAsync(ChromaCollection collection, long offset, int limit, Include include, CancellationToken cancellationToken)
    {
        using var document = await CreateClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("limit", limit);
            writer.WriteNumber("offset", offset);
            writer.WriteStartArray("include");
            WriteIncludes(writer, include);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return ReadGetResult(document!.RootElement, include);
    }

    private async Task<List<string>> GetIdsAsync(ChromaCollection collection, IReadOnlyList<string>? ids, byte[]? where, CancellationToken cancellationToken)
    {
        using var document = await CreateClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            if (ids is not null)
            {
                WriteStringArray(writer, "ids", ids);
            }

            if (where is not null)
            {
                writer.WritePropertyName("where");
                writer.WriteRawValue(where, skipInputValidation: true);
            }

            writer.WriteStartArray("include");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return document!.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private sealed record ScanResult(List<(long Offset, string Id)> Matches);

    /// <summary>Walks ids from <paramref name="offset"/> and collects up to <paramref name="want"/> that start with <paramref name="prefix"/>.</summary>
    private async Task<ScanResult> ScanIdsAsync(ChromaCollection collection, long offset, string prefix, int want, CancellationToken cancellationToken)
    {
        var matches = new List<(long, string)>();
        var client = CreateClient();
        while (matches.Count < want)
        {
            using var document = await client.SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("limit", ScanPageSize);
                writer.WriteNumber("offset", offset);
                writer.WriteStartArray("include");
                writer.WriteEndArray();
                writer.WriteEndObject();
            }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            var ids = document!.RootElement.GetProperty("ids");
            var position = offset;
            foreach (var element in ids.EnumerateArray())
            {
                var id = element.GetString()!;
                if (id.StartsWith(prefix, StringComparison.Ordinal) && matches.Count < want)
                {
                    matches.Add((position, id));
                }

                position++;
            }

            if (ids.GetArrayLength() < ScanPageSize)
            {
                break;
            }

            offset = position;
        }

        return new ScanResult(matches);
    }

    private async Task DeleteIdsAsync(ChromaCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var client = CreateClient();
        foreach (var chunk in ids.Chunk(ScanPageSize))
        {
            using var _ = await client.SendAsync(HttpMethod.Post, CollectionPath(collection, "delete"), writer =>
            {
                writer.WriteStartObject();
                WriteStringArray(writer, "ids", chunk);
                writer.WriteEndObject();
            }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every record but keeps the collection (its id, space and recorded model stay).</summary>
    private async Task EmptyAsync(ChromaCollection collection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await GetPageAsync(collection, 0, ScanPageSize, Include.None, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return;
            }

            await DeleteIdsAsync(collection, page.Select(r => r.Id).ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ServerLimits> GetLimitsAsync(CancellationToken cancellationToken)
    {
        if (_limits is { } known)
        {
            return known;
        }

        using var document = await CreateClient().SendAsync(HttpMethod.Get, "pre-flight-checks", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        var limits = new ServerLimits(int.MaxValue, false);
        if (document is not null && document.RootElement.ValueKind == JsonValueKind.Object)
        {
            var root = document.RootElement;
            var max = root.TryGetProperty("max_batch_size", out var m) && m.TryGetInt32(out var mv) && mv > 0 ? mv : int.MaxValue;
            // Base64 embeddings are little-endian float32; send them only when this machine's floats are laid out so.
            var base64 = BitConverter.IsLittleEndian && root.TryGetProperty("supports_base64_encoding", out var b) && b.ValueKind == JsonValueKind.True;
            limits = new ServerLimits(max, base64);
        }

        _limits = limits;
        return limits;
    }

    private sealed record ServerLimits(int MaxBatchSize, bool Base64);

    private static List<VectorRecord> ValidateAndDedupe(IReadOnlyList<VectorRecord> records)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<VectorRecord>(records.Count);
        foreach (var record in records)
        {
            if (record is null || string.IsNullOrWhiteSpace(record.Id))
            {
                throw new ArgumentException("Every record needs a non-empty id.");
            }

            if (record.Vector is null && string.IsNullOrWhiteSpace(record.Text))
            {
                throw new ArgumentException($"Record '{record.Id}' has neither text nor a vector.");
            }

            if (record.Vector is { Length: 0 })
            {
                throw new ArgumentException($"Record '{record.Id}' has an empty vector.");
            }

            ChromaMetadataCodec.Validate(record.Id, record.Metadata);

            // Duplicate ids within one call: the last one wins, in the position of the first.
            if (positions.TryGetValue(record.Id, out var at))
            {
                result[at] = record;
            }
            else
            {
                positions[record.Id] = result.Count;
                result.Add(record);
            }
        }

        return result;
    }

    private static void ValidateIds(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException("Ids must not be null or empty.", nameof(ids));
            }
        }
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

    private static void WriteIncludes(Utf8JsonWriter writer, Include include)
    {
        if (include.Text)
        {
            writer.WriteStringValue("documents");
        }

        if (include.Metadata)
        {
            writer.WriteStringValue("metadatas");
        }

        if (include.Vectors)
        {
            writer.WriteStringValue("embeddings");
        }
    }

    private static void WriteStringArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteFloatArray(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartArray();
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static List<VectorRecord> ReadGetResult(JsonElement root, Include include)
    {
        var ids = root.GetProperty("ids");
        var documents = ArrayOrNull(root, "documents");
        var metadatas = ArrayOrNull(root, "metadatas");
        var embeddings = ArrayOrNull(root, "embeddings");
        var result = new List<VectorRecord>(ids.GetArrayLength());
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            result.Add(new VectorRecord(id.GetString()!)
            {
                Text = include.Text ? ReadDocument(documents, i) : null,
                Metadata = include.Metadata ? ReadMetadata(metadatas, i) : null,
                Vector = include.Vectors ? ReadVector(embeddings, i) : null,
            });
            i++;
        }

        return result;
    }

    private static List<ScoredRecord> ReadQueryResult(JsonElement root, ChromaSpace space, Include include, float[] queryVector)
    {
        var ids = root.GetProperty("ids")[0];
        var distances = root.GetProperty("distances")[0];
        var documents = ArrayOrNull(root, "documents") is { } d ? d[0] : (JsonElement?)null;
        var metadatas = ArrayOrNull(root, "metadatas") is { } m ? m[0] : (JsonElement?)null;
        var embeddings = ArrayOrNull(root, "embeddings") is { } e ? e[0] : (JsonElement?)null;
        var result = new List<ScoredRecord>(ids.GetArrayLength());
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            var distance = distances[i].GetDouble();
            var stored = include.Vectors || space == ChromaSpace.L2 ? ReadVector(embeddings, i) : null;
            var score = space == ChromaSpace.L2 && stored is not null
                ? ChromaSpaceExtensions.RelevanceOf(queryVector, stored) ?? space.DistanceToScore(distance)
                : space.DistanceToScore(distance);
            result.Add(new ScoredRecord(id.GetString()!, score)
            {
                RawScore = distance,
                Text = include.Text ? ReadDocument(documents, i) : null,
                Metadata = include.Metadata ? ReadMetadata(metadatas, i) : null,
                Vector = include.Vectors ? stored : null,
            });
            i++;
        }

        return result;
    }

    private static JsonElement? ArrayOrNull(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : null;

    private static string? ReadDocument(JsonElement? documents, int index)
    {
        if (documents is not { } array || array[index].ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // RagFood stores records without text with an empty document.
        var text = array[index].GetString();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static JsonElement? ReadMetadata(JsonElement? metadatas, int index) =>
        metadatas is { } array ? ChromaMetadataCodec.Read(array[index]) : null;

    private static float[]? ReadVector(JsonElement? embeddings, int index)
    {
        if (embeddings is not { } array || array[index].ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var element = array[index];
        var vector = new float[element.GetArrayLength()];
        var i = 0;
        foreach (var value in element.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }

        return vector;
    }
}
