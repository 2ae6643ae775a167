using System.Runtime.InteropServices;
using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Record-level requests on one Chroma collection: get by ids or pages, id scans for prefixes, deletes, the
/// upsert batch (with Chroma's merge turned into RagFood's replace), and the server's batch limits.</summary>
internal sealed class ChromaRecords(Func<ChromaRestClient> createClient, string databasePath)
{
    /// <summary>Ids per get or delete request, and per page of an id scan.</summary>
    public const int ScanPageSize = 1000;

    private ServerLimits? _serverLimits;

    public string CollectionPath(ChromaCollection collection, string operation) =>
        $"{databasePath}collections/{Uri.EscapeDataString(collection.Id)}/{operation}";

    public async Task UpsertBatchAsync(ChromaRestClient client, ChromaCollection collection, IReadOnlyList<VectorRecord> records, float[][] vectors, int start, int count, bool base64, CancellationToken cancellationToken)
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
            ChromaJson.WriteStringArray(writer, "ids", ids);
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
            ChromaJson.WriteStringArray(writer, "ids", ids);
            writer.WriteStartArray("embeddings");
            for (var i = start; i < start + count; i++)
            {
                if (base64)
                {
                    writer.WriteBase64StringValue(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
                }
                else
                {
                    ChromaJson.WriteFloatArray(writer, vectors[i]);
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

    public Task<List<VectorRecord>> GetByIdsAsync(ChromaCollection collection, IReadOnlyList<string> ids, Include include, CancellationToken cancellationToken) =>
        GetAsync(collection, writer => ChromaJson.WriteStringArray(writer, "ids", ids), include, cancellationToken);

    public async Task<IReadOnlyList<VectorRecord?>> GetInOrderAsync(ChromaCollection collection, IReadOnlyList<string> ids, Include include, CancellationToken cancellationToken)
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

    public Task<List<VectorRecord>> GetPageAsync(ChromaCollection collection, long offset, int limit, Include include, CancellationToken cancellationToken) =>
        GetAsync(collection, writer =>
        {
            writer.WriteNumber("limit", limit);
            writer.WriteNumber("offset", offset);
        }, include, cancellationToken);

    /// <summary>One <c>get</c> call: <paramref name="selection"/> writes which records (ids, or a page), then the includes.</summary>
    private async Task<List<VectorRecord>> GetAsync(ChromaCollection collection, Action<Utf8JsonWriter> selection, Include include, CancellationToken cancellationToken)
    {
        using var document = await createClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            selection(writer);
            writer.WriteStartArray("include");
            ChromaJson.WriteIncludes(writer, include);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return ChromaJson.ReadGetResult(document!.RootElement, include);
    }

    public async Task<List<string>> GetIdsAsync(ChromaCollection collection, IReadOnlyList<string>? ids, byte[]? where, CancellationToken cancellationToken)
    {
        using var document = await createClient().SendAsync(HttpMethod.Post, CollectionPath(collection, "get"), writer =>
        {
            writer.WriteStartObject();
            if (ids is not null)
            {
                ChromaJson.WriteStringArray(writer, "ids", ids);
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

    public sealed record ScanResult(List<(long Offset, string Id)> Matches);

    /// <summary>Walks ids from <paramref name="offset"/> and collects up to <paramref name="want"/> that start with <paramref name="prefix"/>.</summary>
    public async Task<ScanResult> ScanIdsAsync(ChromaCollection collection, long offset, string prefix, int want, CancellationToken cancellationToken)
    {
        var matches = new List<(long, string)>();
        var client = createClient();
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

    public async Task DeleteIdsAsync(ChromaCollection collection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var client = createClient();
        foreach (var chunk in ids.Chunk(ScanPageSize))
        {
            using var _ = await client.SendAsync(HttpMethod.Post, CollectionPath(collection, "delete"), writer =>
            {
                writer.WriteStartObject();
                ChromaJson.WriteStringArray(writer, "ids", chunk);
                writer.WriteEndObject();
            }, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every record but keeps the collection (its id, space and recorded model stay).</summary>
    public async Task EmptyAsync(ChromaCollection collection, CancellationToken cancellationToken)
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

    public async Task<ServerLimits> GetLimitsAsync(CancellationToken cancellationToken)
    {
        if (_serverLimits is { } known)
        {
            return known;
        }

        using var document = await createClient().SendAsync(HttpMethod.Get, "pre-flight-checks", null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        var limits = new ServerLimits(int.MaxValue, false);
        if (document is not null && document.RootElement.ValueKind == JsonValueKind.Object)
        {
            var root = document.RootElement;
            var max = root.TryGetProperty("max_batch_size", out var m) && m.TryGetInt32(out var mv) && mv > 0 ? mv : int.MaxValue;
            // Base64 embeddings are little-endian float32; send them only when this machine's floats are laid out so.
            var base64 = BitConverter.IsLittleEndian && root.TryGetProperty("supports_base64_encoding", out var b) && b.ValueKind == JsonValueKind.True;
            limits = new ServerLimits(max, base64);
        }

        _serverLimits = limits;
        return limits;
    }

    public sealed record ServerLimits(int MaxBatchSize, bool Base64);
}
