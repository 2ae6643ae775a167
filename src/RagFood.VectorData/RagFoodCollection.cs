using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.VectorData.Internal;

namespace RagFood.VectorData;

/// <summary>A RagFood namespace as an MEVD collection: records of <typeparamref name="TRecord"/> keyed by string ids.</summary>
/// <typeparam name="TKey"><see cref="string"/>; <see cref="object"/> (holding strings) for the dynamic collection.</typeparam>
/// <typeparam name="TRecord">A record class with MEVD attributes or a definition, or <c>Dictionary&lt;string, object?&gt;</c>
/// with a definition (the dynamic collection).</typeparam>
/// <remarks>
/// <para>The collection name is the namespace (checked by the kernel's namespace rule; <c>""</c> is the default
/// namespace). The key is the record id, the text property the record's text, a float vector property its vector,
/// every other data property a metadata field under its storage name (see <c>docs/vectordata.md</c>).</para>
/// <para>A namespace exists once it holds a record: <see cref="EnsureCollectionExistsAsync"/> checks the name, the
/// store and the vector dimension but creates nothing, so <see cref="CollectionExistsAsync"/> stays false until the
/// first upsert (on every RagFood store).</para>
/// <para>Scores are RagFood's one relevance scale: similarities in [0, 1], higher is closer.</para>
/// <para>Store failures surface as MEVD's <see cref="Microsoft.Extensions.VectorData.VectorStoreException"/>; argument errors as
/// <see cref="ArgumentException"/>; filters and types the adapter cannot express as <see cref="NotSupportedException"/>.</para>
/// </remarks>
public sealed class RagFoodCollection<TKey, TRecord> : VectorStoreCollection<TKey, TRecord>
    where TKey : notnull
    where TRecord : class
{
    private readonly IVectorStore _store;
    private readonly CollectionModel _model;
    private readonly RecordMapper _mapper;
    private readonly VectorStoreCollectionMetadata _metadata;
    private int _checkedDimension;

    /// <summary>Opens the collection <paramref name="name"/> over <paramref name="store"/>; no I/O.</summary>
    /// <exception cref="ArgumentException">The name breaks the namespace rule, or the options name a text property the record lacks.</exception>
    /// <exception cref="NotSupportedException">The key type is not a string, a property type has no RagFood form, or an
    /// embedding generator is configured (RagFood stores embed text themselves).</exception>
    public RagFoodCollection(IVectorStore store, string name, RagFoodCollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= RagFoodCollectionOptions.Default;
        _store = store;
        Name = VectorStoreRules.Namespace(name);
        var isDynamic = typeof(TRecord) == typeof(Dictionary<string, object?>);
        if (typeof(TKey) != typeof(string) && !(isDynamic && typeof(TKey) == typeof(object)))
        {
            throw new NotSupportedException(
                $"Key type '{typeof(TKey).Name}' is not supported: RagFood record ids are strings, so use string keys (object for the dynamic collection).");
        }

        _model = isDynamic
            ? new RagFoodModelBuilder().BuildDynamic(
                options.Definition ?? throw new ArgumentException("A dynamic collection needs a VectorStoreCollectionDefinition.", nameof(options)),
                options.EmbeddingGenerator)
            : new RagFoodModelBuilder().Build(typeof(TRecord), typeof(TKey), options.Definition, options.EmbeddingGenerator);
        _mapper = new RecordMapper(_model, options.TextProperty);
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = store.Name, CollectionName = Name };
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) =>
        Run("CollectionExists", async () => (await _store.ListNamespacesAsync(cancellationToken).ConfigureAwait(false)).Contains(Name));

    /// <inheritdoc />
    /// <remarks>Creates nothing (a RagFood namespace comes into being with its first record): it reaches the store and
    /// checks that a declared vector dimension matches the store's.</remarks>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => CheckDimensionAsync(cancellationToken, always: true);

    /// <inheritdoc />
    /// <remarks>Deletes the namespace and its records; the default namespace <c>""</c> cannot be deleted (an argument error).</remarks>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        Run("EnsureCollectionDeleted", () => _store.DeleteNamespaceAsync(Name, cancellationToken));

    /// <inheritdoc />
    public override async Task<TRecord?> GetAsync(TKey key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var id = IdOf(key);
        var include = IncludeFor(options?.IncludeVectors ?? false);
        var found = await Run("Get", () => _store.FetchAsync(new FetchRequest { Ids = [id], Include = include, Namespace = Name }, cancellationToken)).ConfigureAwait(false);
        return found is [{ } record] ? FromStore(record, include.Vectors) : null;
    }

    /// <inheritdoc />
    /// <remarks>Returns the records found, in key order; unknown keys are left out. Fetched in batches of the kernel's limit.</remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(IEnumerable<TKey> keys, RecordRetrievalOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var include = IncludeFor(options?.IncludeVectors ?? false);
        foreach (var chunk in keys.Select(k => IdOf(k)).Chunk(VectorStoreLimits.MaxBatchSize))
        {
            var found = await Run("GetBatch", () => _store.FetchAsync(new FetchRequest { Ids = chunk, Include = include, Namespace = Name }, cancellationToken)).ConfigureAwait(false);
            foreach (var record in found)
            {
                if (record is not null)
                {
                    yield return FromStore(record, include.Vectors);
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>RagFood has no metadata-only query, so this pages through the namespace with the store's range operation
    /// and keeps the records the filter matches (evaluated by the kernel's filter evaluator, the same semantics on
    /// every store). Results come in the store's insertion order; <see cref="FilteredRecordRetrievalOptions{TRecord}.Skip"/>
    /// counts matching records. Cost grows with the namespace, not with <paramref name="top"/>: meant for modest
    /// namespaces and for export-style reads.</para>
    /// <para><see cref="FilteredRecordRetrievalOptions{TRecord}.OrderBy"/> is not supported.</para>
    /// </remarks>
    public override async IAsyncEnumerable<TRecord> GetAsync(Expression<Func<TRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new FilteredRecordRetrievalOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options));
        if (options.OrderBy is not null)
        {
            throw new NotSupportedException("OrderBy is not supported: RagFood stores return filtered records in insertion order.");
        }

        var metadataFilter = new LinqFilterTranslator(_mapper).Translate(filter, _model);
        var include = IncludeFor(options.IncludeVectors) with { Metadata = true };
        var (skip, left, cursor) = (options.Skip, top, "");
        do
        {
            var page = await Run("GetFiltered", () => _store.RangeAsync(
                new RangeRequest { Cursor = cursor, Limit = VectorStoreLimits.MaxBatchSize, Include = include, Namespace = Name }, cancellationToken)).ConfigureAwait(false);
            foreach (var record in page.Records)
            {
                if (metadataFilter is not null && !metadataFilter.Matches(record.Metadata))
                {
                    continue;
                }

                if (skip > 0)
                {
                    skip--;
                    continue;
                }

                yield return FromStore(record, include.Vectors);
                if (--left == 0)
                {
                    yield break;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor.Length > 0);
    }

    /// <inheritdoc />
    public override Task DeleteAsync(TKey key, CancellationToken cancellationToken = default)
    {
        var id = IdOf(key);
        return Run("Delete", () => _store.DeleteAsync(new DeleteRequest { Ids = [id], Namespace = Name }, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>Deleted in batches of the kernel's limit; unknown keys are ignored.</remarks>
    public override async Task DeleteAsync(IEnumerable<TKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var chunk in keys.Select(k => IdOf(k)).ToList().Chunk(VectorStoreLimits.MaxBatchSize))
        {
            await Run("DeleteBatch", () => _store.DeleteAsync(new DeleteRequest { Ids = chunk, Namespace = Name }, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task UpsertAsync(TRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UpsertAsync([record], cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Written in batches of the kernel's limit (<see cref="VectorStoreLimits.MaxBatchSize"/>), each acknowledged
    /// as durable before the next is sent. If a batch fails, the batches before it stay written and the exception's
    /// inner RagFood exception lists what was written. A record without a vector is embedded by the store from its text.</remarks>
    public override async Task UpsertAsync(IEnumerable<TRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var mapped = records.Select(r => _mapper.ToStore(r ?? throw new ArgumentException("A record is null.", nameof(records)), IdOf(_mapper.Key.GetValueAsObject(r)))).ToList();
        if (mapped.Count == 0)
        {
            return;
        }

        if (mapped.Any(r => r.Vector is not null))
        {
            await CheckDimensionAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var chunk in mapped.Chunk(VectorStoreLimits.MaxBatchSize))
        {
            await Run("Upsert", () => _store.UpsertAsync(new UpsertRequest(chunk) { Namespace = Name }, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>By vector (<see cref="ReadOnlyMemory{T}"/>, <c>float[]</c>, <see cref="Embedding{T}"/> of float) or by text
    /// (<see cref="string"/>; the store embeds it in its own embedding space). <paramref name="top"/> plus
    /// <see cref="VectorSearchOptions{TRecord}.Skip"/> is at most the kernel's top-k limit.</para>
    /// <para>Scores are similarities in [0, 1], higher is closer; <see cref="VectorSearchOptions{TRecord}.ScoreThreshold"/>
    /// keeps results scoring at least the threshold.</para>
    /// <para>A filter the adapter cannot translate, or one the store cannot express (Chroma has no GLOB, CONTAINS or
    /// HAS FIELD), is a <see cref="NotSupportedException"/> raised before any record is read.</para>
    /// </remarks>
    public override async IAsyncEnumerable<VectorSearchResult<TRecord>> SearchAsync<TInput>(TInput searchValue, int top, VectorSearchOptions<TRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        options ??= new VectorSearchOptions<TRecord>();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Skip, nameof(options));
        if (_model.VectorProperties.Count > 0)
        {
            _ = _model.GetVectorPropertyOrSingle(options);
        }

        var query = searchValue switch
        {
            string text => new VectorQuery { Text = text },
            ReadOnlyMemory<float> or float[] or Embedding<float> => new VectorQuery
            {
                Vector = VectorValues.ToArray(searchValue) ?? throw new ArgumentException("The search vector is empty.", nameof(searchValue)),
            },
            _ => throw new NotSupportedException(
                $"Search input of type '{typeof(TInput).Name}' is not supported: search by string (the store embeds it) or by ReadOnlyMemory<float>, float[] or Embedding<float>."),
        };
        if (query.Vector is not null)
        {
            await CheckDimensionAsync(cancellationToken).ConfigureAwait(false);
        }

        var include = IncludeFor(options.IncludeVectors);
        query = query with
        {
            TopK = top + options.Skip,
            Filter = options.Filter is null ? null : new LinqFilterTranslator(_mapper).Translate(options.Filter, _model),
            Include = include,
            Namespace = Name,
        };
        IReadOnlyList<ScoredRecord> hits;
        try
        {
            hits = await Run("Search", () => _store.QueryAsync(query, cancellationToken)).ConfigureAwait(false);
        }
        catch (FilterSyntaxException e) when (query.Filter is not null)
        {
            // The translated filter is valid filter-language text, so a filter error here is the store saying it
            // cannot express an operator (Chroma and GLOB, CONTAINS, HAS FIELD): MEVD reports that as not supported.
            throw new NotSupportedException(e.Message, e);
        }

        foreach (var hit in hits.Skip(options.Skip))
        {
            if (options.ScoreThreshold is { } threshold && hit.Score < threshold)
            {
                continue;
            }

            yield return new VectorSearchResult<TRecord>(
                _mapper.FromStore<TRecord>(hit.Id, hit.Text, hit.Vector, hit.Metadata, include.Vectors), hit.Score);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        StoreCall.Service(serviceType, serviceKey, _metadata, _store, this);

    /// <summary>Refuses a declared vector dimension that differs from the store's; after one good check it is not
    /// repeated unless <paramref name="always"/> (the store's dimension does not change under a namespace).</summary>
    private async Task CheckDimensionAsync(CancellationToken cancellationToken, bool always = false)
    {
        if (!always && Volatile.Read(ref _checkedDimension) == 1)
        {
            return;
        }

        var info = await Run("GetInfo", () => _store.GetInfoAsync(cancellationToken)).ConfigureAwait(false);
        if (_mapper.Vector is { Dimensions: > 0 } vector && info.Dimension > 0 && vector.Dimensions != info.Dimension)
        {
            throw new InvalidOperationException(
                $"Vector property '{vector.ModelName}' declares {vector.Dimensions} dimensions, but store '{_store.Name}' holds {info.Dimension}-d vectors "
                + $"({info.EmbeddingModel}). Declare [VectorStoreVector({info.Dimension})] or use a store in the record's embedding space.");
        }

        Volatile.Write(ref _checkedDimension, 1);
    }

    private Include IncludeFor(bool includeVectors) => new(Vectors: includeVectors && _mapper.Vector is not null, Metadata: true, Text: true);

    private TRecord FromStore(VectorRecord record, bool includeVectors) =>
        _mapper.FromStore<TRecord>(record.Id, record.Text, record.Vector, record.Metadata, includeVectors);

    private static string IdOf(object? key) => key switch
    {
        string id => VectorStoreRules.Id(id),
        null => throw new ArgumentNullException(nameof(key), "A record key is null."),
        _ => throw new ArgumentException($"Key of type '{key.GetType().Name}' is not supported: RagFood record ids are strings.", nameof(key)),
    };

    private Task<T> Run<T>(string operation, Func<Task<T>> call) => StoreCall.RunAsync(_store.Name, Name, operation, call);
}
