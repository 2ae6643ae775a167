using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>The namespace → collection cache: looks collections up by name, creates them (cosine, recording the
/// embedder's model and dimension), lists RagFood's own, and forgets one that vanished.</summary>
internal sealed class ChromaCollections(
    Func<ChromaRestClient> createClient,
    string databasePath,
    ChromaVectorStoreOptions options,
    ChromaSpace newCollectionSpace,
    Func<EmbeddingSpace> embedderSpace,
    ILogger logger)
{
    private readonly ConcurrentDictionary<string, ChromaCollection> _byName = new(StringComparer.Ordinal);

    /// <summary>Replaces the cached entry (a collection whose recorded space or dimension changed).</summary>
    public void Set(ChromaCollection collection) => _byName[collection.Name] = collection;

    /// <summary>Drops the cached entry, so the next call looks the collection up again.</summary>
    public void Forget(string name) => _byName.TryRemove(name, out _);

    public async Task<ChromaCollection?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (_byName.TryGetValue(name, out var cached))
        {
            return cached;
        }

        using var document = await createClient().SendAsync(HttpMethod.Get, $"{databasePath}collections/{Uri.EscapeDataString(name)}", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        return Remember(ChromaCollection.Parse(document.RootElement));
    }

    public async Task<ChromaCollection> GetOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        if (_byName.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var dimension = embedderSpace().Dimension;
        using var document = await createClient().SendAsync(HttpMethod.Post, $"{databasePath}collections", writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteBoolean("get_or_create", true);
            writer.WriteStartObject("metadata");
            writer.WriteString(ChromaVectorStore.EmbeddingModelKey, embedderSpace().Model);
            if (dimension > 0)
            {
                writer.WriteNumber(ChromaVectorStore.DimensionKey, dimension);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("configuration");
            writer.WriteStartObject("hnsw");
            writer.WriteString("space", newCollectionSpace.ToWireName());
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return Remember(ChromaCollection.Parse(document!.RootElement));
    }

    public ChromaCollection Remember(ChromaCollection collection)
    {
        var added = _byName.GetOrAdd(collection.Name, collection);
        if (ReferenceEquals(added, collection) && logger.IsEnabled(LogLevel.Information))
        {
            ChromaLog.CollectionReady(logger, collection.Name, collection.Id, collection.Space, collection.RecordedModel ?? options.EmbeddingModel ?? "(not recorded)");
        }

        return added;
    }

    public async Task<IReadOnlyList<(string Namespace, ChromaCollection Collection)>> ListOwnAsync(CancellationToken cancellationToken)
    {
        var client = createClient();
        var result = new List<(string, ChromaCollection)>();
        var prefix = options.Collection + ChromaVectorStore.NamespaceSeparator;
        const int pageSize = 100;
        for (var offset = 0; ; offset += pageSize)
        {
            using var document = await client.SendAsync(HttpMethod.Get, $"{databasePath}collections?limit={pageSize}&offset={offset}", null, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            var page = document!.RootElement;
            foreach (var item in page.EnumerateArray())
            {
                var collection = ChromaCollection.Parse(item);
                if (collection.Name == options.Collection)
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
                _byName[collection.Name] = collection;
            }

            if (page.GetArrayLength() < pageSize)
            {
                return result;
            }
        }
    }
}
