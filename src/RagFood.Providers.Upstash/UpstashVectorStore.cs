using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Upstash.Internal;

namespace RagFood.Providers.Upstash;

/// <summary>Upstash Vector over its REST API.</summary>
/// <remarks>
/// <para>Every call is a POST with a JSON body to <c>{Url}/{endpoint}[/{namespace}]</c> (namespace URL-escaped),
/// through the named <see cref="HttpClientName"/> client whose handler pipeline holds the timeouts, retries,
/// circuit breaker and rate limiter (see <see cref="UpstashVectorStoreOptions"/>). A named client created per
/// call, rather than a typed client captured by this singleton, keeps the factory's handler rotation working.</para>
/// <para>Records without a vector are written with <c>/upsert-data</c> and text queries use <c>/query-data</c>:
/// Upstash embeds them with the index's hosted model, which <see cref="GetInfoAsync"/> reports as read from
/// <c>/info</c>. Scores are Upstash's own, already similarities in [0, 1] for dense indexes.</para>
/// <para>Failures are read from the <c>error</c> key of the body, not only the status, and surface as
/// <see cref="VectorStoreException"/>: 401/403 Unauthenticated, 400 InvalidRequest, 404 NotFound, 422
/// InvalidRequest (or FailedPrecondition when embedding is not allowed), 429 ResourceExhausted, 5xx and transport
/// errors Unavailable, timeouts Timeout, an open breaker CircuitOpen. The token never appears in messages or logs.</para>
/// </remarks>
public sealed class UpstashVectorStore : IVectorStore
{
    /// <summary>The provider name: the store's <see cref="Name"/> and its DI key.</summary>
    public const string ProviderName = "upstash";

    /// <summary>The IHttpClientFactory client name.</summary>
    public const string HttpClientName = "RagFood.Providers.Upstash";

    private readonly UpstashVectorStoreOptions _options;
    private readonly ILogger<UpstashVectorStore> _logger;
    private readonly UpstashTransport _transport;

    // The index's dense dimension as /info last reported it (0 = not known yet, or a sparse-only index).
    // Vectors are checked against it before any write or query, so a mismatch is an ArgumentException, as the
    // IVectorStore contract requires, rather than a 422 after the fact.
    private int _dimension;

    public UpstashVectorStore(IHttpClientFactory httpClientFactory, IOptions<UpstashVectorStoreOptions> options, ILogger<UpstashVectorStore> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _transport = new UpstashTransport(httpClientFactory, _options, logger);
    }

    public string Name => ProviderName;

    /// <inheritdoc/>
    /// <remarks>Split into requests of <see cref="UpstashVectorStoreOptions.BatchSize"/> records; within a batch,
    /// records with vectors go to <c>/upsert</c> and text-only ones to <c>/upsert-data</c>. Duplicate ids keep
    /// the last occurrence. When a request fails part way, the exception's
    /// <see cref="VectorStoreException.WrittenIds"/> lists the ids already written.</remarks>
    public async Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
    {
        var records = VectorStoreRules.Upsert(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Count == 0)
        {
            return new UpsertResult(0);
        }

        foreach (var record in records.Where(r => r.Vector is not null))
        {
            await CheckDimensionAsync(record.Vector!, $"Record '{record.Id}'", cancellationToken).ConfigureAwait(false);
        }

        var ns = Resolve(request.Namespace);
        var written = new List<string>(records.Count);
        try
        {
            foreach (var batch in records.Chunk(_options.BatchSize))
            {
                var withVectors = batch.Where(r => r.Vector is not null).ToList();
                var textOnly = batch.Where(r => r.Vector is null).ToList();
                if (withVectors.Count > 0)
                {
                    using var _ = await _transport.SendAsync("upsert", ns, w => UpstashJson.WriteRecords(w, withVectors, includeVector: true), cancellationToken).ConfigureAwait(false);
                    written.AddRange(withVectors.Select(r => r.Id));
                }

                if (textOnly.Count > 0)
                {
                    using var _ = await _transport.SendAsync("upsert-data", ns, w => UpstashJson.WriteRecords(w, textOnly, includeVector: false), cancellationToken).ConfigureAwait(false);
                    written.AddRange(textOnly.Select(r => r.Id));
                }

                UpstashLog.BatchWritten(_logger, batch.Length, written.Count, records.Count);
            }
        }
        catch (VectorStoreException error) when (written.Count > 0)
        {
            UpstashLog.UpsertFailedPartWay(_logger, written.Count, records.Count, error.Kind);
            throw new VectorStoreException(Name, error.Kind,
                $"{error.Message} {written.Count} of {records.Count} records were written before the failure.", error)
            {
                WrittenIds = written.ToArray(),
            };
        }

        return new UpsertResult(written.Count) { WrittenIds = written };
    }

    /// <inheritdoc/>
    /// <remarks>Text queries go to <c>/query-data</c> (embedded by Upstash), vector queries to <c>/query</c>;
    /// the filter is sent as its canonical text.</remarks>
    public async Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Query(query);

        if (query.Vector is { } queryVector)
        {
            await CheckDimensionAsync(queryVector, "The query vector", cancellationToken).ConfigureAwait(false);
        }

        using var document = await _transport.SendAsync(query.Text is null ? "query" : "query-data", Resolve(query.Namespace), w =>
        {
            w.WriteStartObject();
            if (query.Text is { } text)
            {
                w.WriteString("data", text);
            }
            else
            {
                UpstashJson.WriteVector(w, query.Vector!);
            }

            w.WriteNumber("topK", query.TopK);
            UpstashJson.WriteInclude(w, query.Include);
            if (query.Filter is { } filter)
            {
                w.WriteString("filter", filter.Text);
            }

            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);

        var result = UpstashTransport.Result(document, "query");
        var matches = new List<ScoredRecord>(result.GetArrayLength());
        foreach (var item in result.EnumerateArray())
        {
            var raw = item.GetProperty("score").GetDouble();
            var score = (float)Math.Clamp(raw, 0.0, 1.0);
            matches.Add(new ScoredRecord(item.GetProperty("id").GetString()!, score)
            {
                Text = UpstashJson.Data(item),
                Vector = UpstashJson.Vector(item),
                Metadata = UpstashJson.Metadata(item),
                RawScore = score == raw ? null : raw,
            });
        }

        return matches;
    }

    public async Task<IReadOnlyList<VectorRecord?>> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Fetch(request);
        if (request.Ids is { Count: 0 })
        {
            cancellationToken.ThrowIfCancellationRequested();
            return [];
        }

        using var document = await _transport.SendAsync("fetch", Resolve(request.Namespace), w =>
        {
            w.WriteStartObject();
            if (request.Ids is { } ids)
            {
                UpstashJson.WriteIds(w, ids);
            }
            else
            {
                w.WriteString("prefix", request.Prefix);
            }

            UpstashJson.WriteInclude(w, request.Include);
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);

        var result = UpstashTransport.Result(document, "fetch");
        var records = new List<VectorRecord?>(result.GetArrayLength());
        foreach (var item in result.EnumerateArray())
        {
            records.Add(item.ValueKind == JsonValueKind.Object ? UpstashJson.ParseRecord(item) : null);
        }

        return records;
    }

    public async Task<long> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Delete(request);
        if (request.Ids is { Count: 0 })
        {
            cancellationToken.ThrowIfCancellationRequested();
            return 0;
        }

        using var document = await _transport.SendAsync("delete", Resolve(request.Namespace), w =>
        {
            w.WriteStartObject();
            if (request.Ids is { } ids)
            {
                UpstashJson.WriteIds(w, ids);
            }
            else if (request.Prefix is { } prefix)
            {
                w.WriteString("prefix", prefix);
            }
            else
            {
                w.WriteString("filter", request.Filter!.Text);
            }

            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);

        return UpstashTransport.Result(document, "delete").GetProperty("deleted").GetInt64();
    }

    public async Task<RangePage> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Range(request);
        using var document = await _transport.SendAsync("range", Resolve(request.Namespace), w =>
        {
            w.WriteStartObject();
            w.WriteString("cursor", string.IsNullOrEmpty(request.Cursor) ? "0" : request.Cursor);
            w.WriteNumber("limit", request.Limit);
            if (request.Prefix is { } prefix)
            {
                w.WriteString("prefix", prefix);
            }

            UpstashJson.WriteInclude(w, request.Include);
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);

        var result = UpstashTransport.Result(document, "range");
        var vectors = result.GetProperty("vectors");
        var records = new List<VectorRecord>(vectors.GetArrayLength());
        foreach (var item in vectors.EnumerateArray())
        {
            records.Add(UpstashJson.ParseRecord(item));
        }

        return new RangePage(result.GetProperty("nextCursor").GetString() ?? "", records);
    }

    /// <inheritdoc/>
    /// <remarks>The embedding model is the index's hosted dense model as <c>/info</c> reports it
    /// (<c>denseIndex.embeddingModel</c>), <c>""</c> when the index has none.</remarks>
    public async Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        using var document = await _transport.SendAsync("info", "", writeBody: null, cancellationToken).ConfigureAwait(false);
        var result = UpstashTransport.Result(document, "info");
        var similarityName = result.TryGetProperty("similarityFunction", out var s) ? s.GetString() : null;
        var model = "";
        if (result.TryGetProperty("denseIndex", out var dense) && dense.ValueKind == JsonValueKind.Object
            && dense.TryGetProperty("embeddingModel", out var m) && m.ValueKind == JsonValueKind.String)
        {
            model = m.GetString()!;
        }

        var namespaces = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        if (result.TryGetProperty("namespaces", out var nsElement) && nsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var ns in nsElement.EnumerateObject())
            {
                namespaces[ns.Name] = ns.Value.TryGetProperty("vectorCount", out var count) ? count.GetInt64() : 0;
            }
        }

        var dimension = result.TryGetProperty("dimension", out var d) ? d.GetInt32() : 0;
        Volatile.Write(ref _dimension, dimension);
        return new VectorStoreInfo(
            Name,
            result.GetProperty("vectorCount").GetInt64(),
            dimension,
            similarityName switch
            {
                "EUCLIDEAN" => SimilarityFunction.Euclidean,
                "DOT_PRODUCT" => SimilarityFunction.DotProduct,
                _ => SimilarityFunction.Cosine,
            },
            model)
        {
            Namespaces = namespaces,
        };
    }

    public async Task ResetAsync(string @namespace = "", bool all = false, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.Reset(@namespace, all);
        using var _ = all
            ? await _transport.SendAsync("reset?all", "", writeBody: null, cancellationToken).ConfigureAwait(false)
            : await _transport.SendAsync("reset", Resolve(@namespace), writeBody: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        using var document = await _transport.SendAsync("list-namespaces", "", writeBody: null, cancellationToken).ConfigureAwait(false);
        return UpstashTransport.Result(document, "list-namespaces").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
    }

    public async Task<bool> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        VectorStoreRules.NamespaceToDelete(@namespace);
        try
        {
            using var _ = await _transport.SendAsync("delete-namespace", @namespace, writeBody: null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (VectorStoreException error) when (error.Kind == VectorStoreErrorKind.NotFound)
        {
            return false;
        }
    }

    /// <summary>Changes parts of one record in place (Upstash's <c>/update</c>); not part of <see cref="IVectorStore"/>.</summary>
    /// <returns>False when the id does not exist.</returns>
    /// <remarks>With <see cref="UpstashUpdate.PatchMetadata"/> the metadata is merged as an RFC 7396 merge patch
    /// (keys set to null are removed); otherwise it replaces the record's metadata. New text on an index with a
    /// hosted model is re-embedded by Upstash.</remarks>
    public async Task<bool> UpdateAsync(UpstashUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        VectorStoreRules.Id(update.Id);
        VectorStoreRules.Namespace(update.Namespace);
        if (update.Vector is { } newVector)
        {
            VectorStoreRules.Vector(newVector, $"The vector of record '{update.Id}'");
        }

        VectorStoreRules.Metadata(update.Id, update.Metadata);
        using var document = await _transport.SendAsync("update", Resolve(update.Namespace), w =>
        {
            w.WriteStartObject();
            w.WriteString("id", update.Id);
            if (update.Vector is { } vector)
            {
                UpstashJson.WriteVector(w, vector);
            }

            if (update.Text is { } text)
            {
                w.WriteString("data", text);
            }

            if (update.Metadata is { } metadata)
            {
                w.WritePropertyName("metadata");
                metadata.WriteTo(w);
            }

            w.WriteString("metadataUpdateMode", update.PatchMetadata ? "PATCH" : "OVERWRITE");
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);

        return UpstashTransport.Result(document, "update").GetProperty("updated").GetInt32() == 1;
    }

    private async Task CheckDimensionAsync(float[] vector, string what, CancellationToken cancellationToken)
    {
        var dimension = Volatile.Read(ref _dimension);
        if (dimension == 0)
        {
            dimension = (await GetInfoAsync(cancellationToken).ConfigureAwait(false)).Dimension;
        }

        VectorStoreRules.Dimension(vector, dimension, what, Name);
    }

    private string Resolve(string? ns) => string.IsNullOrEmpty(ns) ? _options.Namespace : ns;

}

/// <summary>An Upstash <c>/update</c>: the parts to change on one record (null = leave as is).</summary>
public sealed record UpstashUpdate(string Id)
{
    public float[]? Vector { get; init; }

    /// <summary>New text (Upstash's <c>data</c>); re-embedded when the index has a hosted model.</summary>
    public string? Text { get; init; }

    public JsonElement? Metadata { get; init; }

    /// <summary>Merge <see cref="Metadata"/> as an RFC 7396 patch instead of replacing it.</summary>
    public bool PatchMetadata { get; init; }

    public string Namespace { get; init; } = "";
}
