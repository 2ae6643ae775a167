using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using RagFood.Core.Filtering;

namespace RagFood.UpstashEmulator;

/// <summary>Answers every request: admin endpoints, fault injection, auth, then the Upstash Vector endpoints.</summary>
/// <remarks>One terminal handler rather than routed endpoints, because Upstash's paths are
/// <c>/{endpoint}[/{namespace}]</c> with any characters in the namespace, every endpoint takes any of
/// GET/POST/PUT/DELETE, no Content-Type is required, and even unknown paths must answer a JSON body.</remarks>
internal sealed class EmulatorEndpoints(
    VectorIndex index,
    EmulatorEmbedder embedder,
    FaultInjector faults,
    EmulatorStats stats,
    IHostApplicationLifetime lifetime)
{
    internal const string EmbeddingNotAllowed =
        "Embedding data for this index is not allowed. The index must be created with an embedding model to use it.";

    private static readonly HashSet<string> WriteEndpoints = new(StringComparer.Ordinal)
    {
        "upsert", "upsert-data", "delete", "reset", "update", "delete-namespace", "rename-namespace",
    };

    private static readonly HashSet<string> AllowedMethods = new(StringComparer.OrdinalIgnoreCase) { "GET", "POST", "PUT", "DELETE" };

    private readonly EmulatorOptions _options = index.Options;

    public async Task HandleAsync(HttpContext context)
    {
        var (endpoint, ns) = ParsePath(context);
        if (endpoint == "__admin")
        {
            await AdminAsync(context, ns).ConfigureAwait(false);
            return;
        }

        stats.Received(endpoint);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            var settings = faults.Settings;
            if (settings.BlackHole)
            {
                stats.BlackHole();
                await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
            }

            if (settings.LatencyMs > 0)
            {
                await Task.Delay(settings.LatencyMs, stopping.Token).ConfigureAwait(false);
            }

            var (status, body) = await AnswerAsync(context, endpoint, ns, settings, stopping.Token).ConfigureAwait(false);
            stats.Answered(status);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The client gave up (or the emulator is stopping): drop the connection without an answer.
            context.Abort();
        }
    }

    private async Task<(int Status, byte[] Body)> AnswerAsync(HttpContext context, string endpoint, string ns, FaultSettings settings, CancellationToken cancellationToken)
    {
        if (!AllowedMethods.Contains(context.Request.Method))
        {
            return (405, Json.Error(405, $"Method {context.Request.Method} is not allowed."));
        }

        var role = Authenticate(context.Request.Headers.Authorization.ToString());
        if (role is null)
        {
            return (401, Json.Error(401, "Unauthorized: Invalid auth token"));
        }

        if (faults.ChargeQuota() is { } quotaMessage)
        {
            stats.RejectedByQuota();
            return (429, Json.Error(429, quotaMessage));
        }

        var injected = faults.NextInjectedStatus();
        if (injected != 0)
        {
            stats.Injected(injected);
            if (settings.RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            }

            return (injected, Json.Error(injected, injected == 429 ? "Too many requests (injected by the emulator)" : "Service unavailable (injected by the emulator)"));
        }

        if (role == Role.ReadOnly && WriteEndpoints.Contains(endpoint))
        {
            return (401, Json.Error(401, "Unauthorized: Read-only token cannot be used for this operation"));
        }

        try
        {
            var body = await ReadBodyAsync(context.Request, cancellationToken).ConfigureAwait(false);
            var result = await DispatchAsync(endpoint, ns, context.Request.Query.ContainsKey("all"), body, cancellationToken).ConfigureAwait(false);
            return (200, result);
        }
        catch (EmulatorError error)
        {
            return (error.Status, Json.Error(error.Status, error.Message));
        }
        catch (FilterSyntaxException error)
        {
            return (400, Json.Error(400, "Invalid filter: " + error.Message));
        }
    }

    private async Task<byte[]> DispatchAsync(string endpoint, string ns, bool all, RequestBody body, CancellationToken cancellationToken)
    {
        switch (endpoint)
        {
            case "upsert":
                index.Upsert(ns, Items(body).Select(ParseRecord).ToList());
                return Json.Envelope(w => w.WriteStringValue("Success"));
            case "upsert-data":
                index.Upsert(ns, await ParseDataRecordsAsync(Items(body), cancellationToken).ConfigureAwait(false));
                return Json.Envelope(w => w.WriteStringValue("Success"));
            case "query":
            case "query-data":
                return await QueryAsync(ns, body, endpoint == "query-data", cancellationToken).ConfigureAwait(false);
            case "fetch":
                return Fetch(ns, body.Object);
            case "delete":
                return Delete(ns, body);
            case "range":
                return Range(ns, body.Object);
            case "reset":
                index.Reset(ns, all);
                return Json.Envelope(w => w.WriteStringValue("Success"));
            case "info":
                return Info();
            case "update":
                return await UpdateAsync(ns, body.Object, cancellationToken).ConfigureAwait(false);
            case "list-namespaces":
                var names = index.ListNamespaces();
                return Json.Envelope(w =>
                {
                    w.WriteStartArray();
                    names.ForEach(w.WriteStringValue);
                    w.WriteEndArray();
                });
            case "delete-namespace":
                index.DeleteNamespace(ns);
                return Json.Envelope(w => w.WriteStringValue("Success"));
            case "rename-namespace":
                var from = Json.String(body.Object, "namespace") ?? throw new EmulatorError(400, "'namespace' is required.");
                var to = Json.String(body.Object, "newNamespace") ?? throw new EmulatorError(400, "'newNamespace' is required.");
                var renamed = index.RenameNamespace(from, to, Json.Flag(body.Object, "deleteExisting"));
                return Json.Envelope(w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("renamed", renamed);
                    w.WriteEndObject();
                });
            case "random":
                var random = index.Random(ns);
                return Json.Envelope(w =>
                {
                    if (random is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        Json.WriteRecord(w, random, new IncludeFlags(true, true, true), index);
                    }
                });
            case "resumable-query":
            case "resumable-query-data":
                return await StartResumableAsync(ns, body.Object, endpoint == "resumable-query-data", cancellationToken).ConfigureAwait(false);
            case "resumable-query-next":
                var uuid = Json.String(body.Object, "uuid") ?? throw new EmulatorError(400, "'uuid' is required.");
                var additionalK = Json.Int(body.Object, "additionalK") ?? throw new EmulatorError(400, "'additionalK' is required.");
                if (additionalK <= 0 || additionalK > _options.MaxTopK)
                {
                    throw new EmulatorError(400, $"additionalK must be between 1 and {_options.MaxTopK}.");
                }

                var (scores, include) = index.NextResumable(uuid, additionalK);
                return Json.Envelope(w => WriteScores(w, scores, include));
            case "resumable-query-end":
                index.EndResumable(Json.String(body.Object, "uuid") ?? throw new EmulatorError(400, "'uuid' is required."));
                return Json.Envelope(w => w.WriteStringValue("Success"));
            default:
                throw new EmulatorError(404, $"Not Found: /{endpoint}");
        }
    }

    private async Task<byte[]> QueryAsync(string ns, RequestBody body, bool data, CancellationToken cancellationToken)
    {
        if (body.Element is { ValueKind: JsonValueKind.Array } array)
        {
            var results = new List<(List<Scored> Scores, IncludeFlags Include)>();
            foreach (var item in array.EnumerateArray())
            {
                var spec = await ParseQueryAsync(item, data, cancellationToken).ConfigureAwait(false);
                results.Add((index.Query(ns, spec), spec.Include));
            }

            // A batch of exactly one answers flat, as the real service does (the JS SDK re-wraps it).
            return results.Count == 1
                ? Json.Envelope(w => WriteScores(w, results[0].Scores, results[0].Include))
                : Json.Envelope(w =>
                {
                    w.WriteStartArray();
                    foreach (var (scores, include) in results)
                    {
                        WriteScores(w, scores, include);
                    }

                    w.WriteEndArray();
                });
        }

        var single = await ParseQueryAsync(body.Object, data, cancellationToken).ConfigureAwait(false);
        var matches = index.Query(ns, single);
        return Json.Envelope(w => WriteScores(w, matches, single.Include));
    }

    private async Task<byte[]> StartResumableAsync(string ns, JsonElement obj, bool data, CancellationToken cancellationToken)
    {
        var spec = await ParseQueryAsync(obj, data, cancellationToken).ConfigureAwait(false);
        var maxIdle = Json.Int(obj, "maxIdle") ?? 3600;
        if (maxIdle <= 0)
        {
            throw new EmulatorError(400, "maxIdle must be positive.");
        }

        var (uuid, scores) = index.StartResumable(ns, spec, TimeSpan.FromSeconds(maxIdle));
        return Json.Envelope(w =>
        {
            w.WriteStartObject();
            w.WriteString("uuid", uuid);
            w.WritePropertyName("scores");
            WriteScores(w, scores, spec.Include);
            w.WriteEndObject();
        });
    }

    private byte[] Fetch(string ns, JsonElement obj)
    {
        var include = ParseInclude(obj);
        var hasIds = Json.TryGet(obj, "ids", out var idsElement);
        var prefix = Json.String(obj, "prefix");
        if (hasIds && prefix is not null)
        {
            throw new EmulatorError(400, "Only one of ids or prefix must be provided.");
        }

        if (hasIds)
        {
            var records = index.FetchIds(ns, Json.Ids(idsElement));
            return Json.Envelope(w =>
            {
                w.WriteStartArray();
                foreach (var record in records)
                {
                    if (record is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        Json.WriteRecord(w, record, include, index);
                    }
                }

                w.WriteEndArray();
            });
        }

        if (prefix is null)
        {
            throw new EmulatorError(400, "One of ids or prefix must be provided.");
        }

        var matches = index.FetchPrefix(ns, prefix);
        return Json.Envelope(w =>
        {
            w.WriteStartArray();
            matches.ForEach(r => Json.WriteRecord(w, r, include, index));
            w.WriteEndArray();
        });
    }

    private byte[] Delete(string ns, RequestBody body)
    {
        long deleted;
        switch (body.Element)
        {
            case null when body.Text.Length > 0:
                // Legacy single delete (Go SDK): the raw id bytes, not JSON.
                deleted = index.DeleteIds(ns, [body.Text]);
                break;
            case { ValueKind: JsonValueKind.Array or JsonValueKind.String or JsonValueKind.Number } legacy:
                deleted = index.DeleteIds(ns, Json.Ids(legacy));
                break;
            case { ValueKind: JsonValueKind.Object } obj:
                var hasIds = Json.TryGet(obj, "ids", out var ids);
                var prefix = Json.String(obj, "prefix");
                var filterText = Json.String(obj, "filter");
                if ((hasIds ? 1 : 0) + (prefix is null ? 0 : 1) + (filterText is null ? 0 : 1) != 1)
                {
                    throw new EmulatorError(400, "Only and only one of the ids, prefix, or filter must be provided.");
                }

                if (hasIds)
                {
                    deleted = index.DeleteIds(ns, Json.Ids(ids));
                }
                else if (prefix is not null)
                {
                    deleted = index.DeletePrefix(ns, prefix);
                }
                else
                {
                    var filter = MetadataFilter.Parse(filterText) ?? throw new EmulatorError(400, "The filter must not be empty.");
                    deleted = index.DeleteFilter(ns, filter);
                }

                break;
            default:
                throw new EmulatorError(400, "Only and only one of the ids, prefix, or filter must be provided.");
        }

        return Json.Envelope(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("deleted", deleted);
            w.WriteEndObject();
        });
    }

    private byte[] Range(string ns, JsonElement obj)
    {
        var cursor = Json.ParseCursor(obj);
        var limit = Json.Int(obj, "limit") ?? throw new EmulatorError(400, "'limit' is required.");
        if (limit <= 0)
        {
            throw new EmulatorError(400, "limit must be greater than 0.");
        }

        var include = ParseInclude(obj);
        var (page, next) = index.Range(ns, cursor, Math.Min(limit, _options.MaxRangeLimit), Json.String(obj, "prefix"));
        return Json.Envelope(w =>
        {
            w.WriteStartObject();
            w.WriteString("nextCursor", next);
            w.WriteStartArray("vectors");
            page.ForEach(r => Json.WriteRecord(w, r, include, index));
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private byte[] Info()
    {
        var info = index.Info();
        var similarity = index.HasDense ? Json.SimilarityName(_options.Similarity) : "DOT_PRODUCT";
        return Json.Envelope(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("vectorCount", info.VectorCount);
            w.WriteNumber("pendingVectorCount", 0);
            w.WriteNumber("indexSize", info.IndexSize);
            w.WriteNumber("dimension", index.HasDense ? _options.Dimension : 0);
            w.WriteString("similarityFunction", similarity);
            w.WriteString("indexType", _options.IndexType.ToString().ToUpperInvariant());
            if (index.HasDense)
            {
                w.WriteStartObject("denseIndex");
                w.WriteNumber("dimension", _options.Dimension);
                w.WriteString("similarityFunction", similarity);
                w.WriteString("embeddingModel", embedder.DenseModelName);
                w.WriteEndObject();
            }

            if (index.HasSparse)
            {
                w.WriteStartObject("sparseIndex");
                w.WriteString("embeddingModel", _options.SparseEmbeddingModel);
                w.WriteEndObject();
            }

            w.WriteStartObject("namespaces");
            foreach (var (name, count) in info.Namespaces)
            {
                w.WriteStartObject(name);
                w.WriteNumber("vectorCount", count);
                w.WriteNumber("pendingVectorCount", 0);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> UpdateAsync(string ns, JsonElement obj, CancellationToken cancellationToken)
    {
        var id = Json.TryGet(obj, "id", out var idElement) ? Json.Id(idElement) : throw new EmulatorError(400, "'id' is required.");
        var vector = Json.TryGet(obj, "vector", out var v) ? CheckDimension(Json.Floats(v, "vector")) : null;
        var sparse = Json.TryGet(obj, "sparseVector", out var s) ? Json.Sparse(s) : null;
        if (vector is not null && !index.HasDense)
        {
            throw new EmulatorError(422, "Dense vectors are not allowed for a sparse index.");
        }

        if (sparse is not null && !index.HasSparse)
        {
            throw new EmulatorError(422, "Sparse vectors are not allowed for a dense index.");
        }

        if (_options.IndexType == EmulatedIndexType.Hybrid && (vector is null) != (sparse is null))
        {
            throw new EmulatorError(422, "Hybrid indexes need both vector and sparseVector in an update, or neither.");
        }

        var data = Json.String(obj, "data");
        if (data is not null && vector is null && sparse is null && (embedder.HasDenseModel || embedder.HasSparseModel))
        {
            // On an index with a hosted model, new data is re-embedded and replaces the vector(s).
            (vector, sparse) = await EmbedAsync(data, forQuery: false, cancellationToken).ConfigureAwait(false);
        }

        var mode = Json.String(obj, "metadataUpdateMode") ?? "OVERWRITE";
        var patch = mode.ToUpperInvariant() switch
        {
            "OVERWRITE" => false,
            "PATCH" => true,
            _ => throw new EmulatorError(400, $"Invalid metadataUpdateMode: {mode}. Expected OVERWRITE or PATCH."),
        };
        var updated = index.Update(ns, new UpdateSpec(id)
        {
            Vector = vector,
            Sparse = sparse,
            Data = data,
            Metadata = Json.TryGet(obj, "metadata", out var m) ? m.Clone() : null,
            PatchMetadata = patch,
        });
        return Json.Envelope(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("updated", updated ? 1 : 0);
            w.WriteEndObject();
        });
    }

    private RecordInput ParseRecord(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new EmulatorError(400, "Each vector must be a JSON object.");
        }

        var id = Json.TryGet(item, "id", out var idElement) ? Json.Id(idElement) : throw new EmulatorError(400, "Vector id must be a non-empty string or a number.");
        var vector = Json.TryGet(item, "vector", out var v) ? Json.Floats(v, "vector") : null;
        var sparse = Json.TryGet(item, "sparseVector", out var s) ? Json.Sparse(s) : null;
        switch (_options.IndexType)
        {
            case EmulatedIndexType.Dense:
                if (sparse is not null)
                {
                    throw new EmulatorError(422, "Sparse vectors are not allowed for a dense index.");
                }

                CheckDimension(vector ?? throw new EmulatorError(422, $"Vector is required for a dense index (id {id}); use /upsert-data to embed data."));
                break;
            case EmulatedIndexType.Sparse:
                if (vector is not null)
                {
                    throw new EmulatorError(422, "Dense vectors are not allowed for a sparse index.");
                }

                _ = sparse ?? throw new EmulatorError(422, $"Sparse vector is required for a sparse index (id {id}).");
                break;
            default:
                if (vector is null || sparse is null)
                {
                    throw new EmulatorError(422, $"Both vector and sparseVector are required for a hybrid index (id {id}).");
                }

                CheckDimension(vector);
                break;
        }

        // On /upsert, data is stored verbatim and never embedded.
        return new RecordInput(id) { Vector = vector, Sparse = sparse, Metadata = Json.Metadata(item), Data = Json.String(item, "data") };
    }

    private async Task<List<RecordInput>> ParseDataRecordsAsync(List<JsonElement> items, CancellationToken cancellationToken)
    {
        RequireModel();
        var parsed = new List<(string Id, string Data, JsonElement? Metadata)>(items.Count);
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new EmulatorError(400, "Each item must be a JSON object.");
            }

            var id = Json.TryGet(item, "id", out var idElement) ? Json.Id(idElement) : throw new EmulatorError(400, "Vector id must be a non-empty string or a number.");
            var data = Json.String(item, "data") ?? throw new EmulatorError(400, $"'data' is required (id {id}).");
            parsed.Add((id, data, Json.Metadata(item)));
        }

        var texts = parsed.Select(p => p.Data).ToList();
        var dense = index.HasDense && embedder.HasDenseModel ? await embedder.EmbedDenseAsync(texts, cancellationToken).ConfigureAwait(false) : null;
        return parsed.Select((p, i) => new RecordInput(p.Id)
        {
            Vector = dense?[i],
            Sparse = index.HasSparse && embedder.HasSparseModel ? EmulatorEmbedder.EmbedSparse(p.Data, forQuery: false) : null,
            Data = p.Data,
            Metadata = p.Metadata,
        }).ToList();
    }

    private async Task<QuerySpec> ParseQueryAsync(JsonElement obj, bool dataEndpoint, CancellationToken cancellationToken)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new EmulatorError(400, "The query must be a JSON object.");
        }

        var topK = Json.Int(obj, "topK") ?? 10;
        if (topK <= 0 || topK > _options.MaxTopK)
        {
            throw new EmulatorError(400, $"topK must be between 1 and {_options.MaxTopK}, got {topK}.");
        }

        var weighting = Json.String(obj, "weightingStrategy");
        if (weighting is not null && !weighting.Equals("IDF", StringComparison.OrdinalIgnoreCase))
        {
            throw new EmulatorError(400, $"Invalid weightingStrategy: {weighting}. Expected IDF.");
        }

        var fusion = (Json.String(obj, "fusionAlgorithm") ?? "RRF").ToUpperInvariant() switch
        {
            "RRF" => FusionAlgorithm.Rrf,
            "DBSF" => FusionAlgorithm.Dbsf,
            var other => throw new EmulatorError(400, $"Invalid fusionAlgorithm: {other}. Expected RRF or DBSF."),
        };

        var spec = new QuerySpec
        {
            TopK = topK,
            Include = ParseInclude(obj),
            Filter = MetadataFilter.Parse(Json.String(obj, "filter")),
            Idf = weighting is not null,
            Fusion = fusion,
        };

        if (dataEndpoint)
        {
            RequireModel();
            var data = Json.String(obj, "data") ?? throw new EmulatorError(400, "'data' is required.");
            var mode = (Json.String(obj, "queryMode") ?? "HYBRID").ToUpperInvariant();
            if (mode is not ("HYBRID" or "DENSE" or "SPARSE"))
            {
                throw new EmulatorError(400, $"Invalid queryMode: {mode}. Expected HYBRID, DENSE or SPARSE.");
            }

            var (vector, sparse) = await EmbedAsync(data, forQuery: true, cancellationToken).ConfigureAwait(false);
            return spec with
            {
                Vector = mode == "SPARSE" ? null : vector,
                Sparse = mode == "DENSE" ? null : sparse,
                Idf = spec.Idf || sparse is not null,
            };
        }

        var queryVector = Json.TryGet(obj, "vector", out var v) ? Json.Floats(v, "vector") : null;
        var querySparse = Json.TryGet(obj, "sparseVector", out var s) ? Json.Sparse(s) : null;
        if (queryVector is not null && !index.HasDense)
        {
            throw new EmulatorError(422, "Dense vectors are not allowed for a sparse index.");
        }

        if (querySparse is not null && !index.HasSparse)
        {
            throw new EmulatorError(422, "Sparse vectors are not allowed for a dense index.");
        }

        if (queryVector is null && querySparse is null)
        {
            throw new EmulatorError(400, "Either data, vector or sparseVector should be provided.");
        }

        return spec with { Vector = queryVector is null ? null : CheckDimension(queryVector), Sparse = querySparse };
    }

    private async Task<(float[]? Dense, SparseVector? Sparse)> EmbedAsync(string text, bool forQuery, CancellationToken cancellationToken)
    {
        var dense = index.HasDense && embedder.HasDenseModel
            ? (await embedder.EmbedDenseAsync([text], cancellationToken).ConfigureAwait(false))[0]
            : null;
        var sparse = index.HasSparse && embedder.HasSparseModel ? EmulatorEmbedder.EmbedSparse(text, forQuery) : null;
        return (dense, sparse);
    }

    private void RequireModel()
    {
        var canEmbed = _options.IndexType switch
        {
            EmulatedIndexType.Dense => embedder.HasDenseModel,
            EmulatedIndexType.Sparse => embedder.HasSparseModel,
            _ => embedder.HasDenseModel && embedder.HasSparseModel,
        };
        if (!canEmbed)
        {
            throw new EmulatorError(422, EmbeddingNotAllowed);
        }
    }

    private float[] CheckDimension(float[] vector) =>
        vector.Length == _options.Dimension
            ? vector
            : throw new EmulatorError(422, $"Invalid vector dimension: {vector.Length}, expected: {_options.Dimension}");

    private static IncludeFlags ParseInclude(JsonElement obj) =>
        new(Json.Flag(obj, "includeVectors"), Json.Flag(obj, "includeMetadata"), Json.Flag(obj, "includeData"));

    private void WriteScores(Utf8JsonWriter writer, List<Scored> scores, IncludeFlags include)
    {
        writer.WriteStartArray();
        foreach (var scored in scores)
        {
            Json.WriteRecord(writer, scored.Record, include, index, scored.Score);
        }

        writer.WriteEndArray();
    }

    private static List<JsonElement> Items(RequestBody body) => body.Element switch
    {
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().ToList(),
        { ValueKind: JsonValueKind.Object } obj => [obj],
        _ => throw new EmulatorError(400, "The body must be a JSON object or an array of objects."),
    };

    private Role? Authenticate(string header)
    {
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        if (token.Length > 0 && token == _options.Token)
        {
            return Role.ReadWrite;
        }

        return token.Length > 0 && token == _options.ReadOnlyToken ? Role.ReadOnly : null;
    }

    /// <summary>First path segment = endpoint; the rest (percent-decoded) = namespace. Leading duplicate slashes
    /// are collapsed (a base URL ending in "/" gives "//upsert" with some SDKs).</summary>
    private static (string Endpoint, string Namespace) ParsePath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = (query >= 0 ? raw[..query] : raw).TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? (Uri.UnescapeDataString(path), "")
            : (Uri.UnescapeDataString(path[..slash]), Uri.UnescapeDataString(path[(slash + 1)..]));
    }

    private static async Task<RequestBody> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var text = Encoding.UTF8.GetString(bytes).Trim();
        if (text.Length == 0)
        {
            return new RequestBody(null, "");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var element = document.RootElement.Clone();
            return new RequestBody(element.ValueKind == JsonValueKind.Null ? null : element, text);
        }
        catch (JsonException)
        {
            return new RequestBody(null, text);
        }
    }

    private async Task AdminAsync(HttpContext context, string action)
    {
        byte[] body;
        var status = 200;
        switch (action)
        {
            case "faults":
                if (!HttpMethods.IsGet(context.Request.Method))
                {
                    var request = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
                    if (request.Element is { ValueKind: JsonValueKind.Object } changes)
                    {
                        faults.Settings = ApplyFaultChanges(faults.Settings, changes);
                    }
                }

                body = Json.Envelope(w => JsonSerializer.Serialize(w, faults.Settings, AdminJson.Options));
                break;
            case "reset-quota":
                faults.ResetQuota();
                body = Json.Envelope(w => w.WriteStringValue("Success"));
                break;
            case "stats":
                body = Json.Envelope(w => WriteStats(w));
                break;
            case "stats/reset":
                stats.Reset();
                body = Json.Envelope(w => w.WriteStringValue("Success"));
                break;
            default:
                status = 404;
                body = Json.Error(404, $"Unknown admin endpoint: {action}");
                break;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static FaultSettings ApplyFaultChanges(FaultSettings current, JsonElement changes)
    {
        foreach (var property in changes.EnumerateObject())
        {
            var value = property.Value;
            current = property.Name switch
            {
                "rate429" => current with { Rate429 = value.GetDouble() },
                "rate503" => current with { Rate503 = value.GetDouble() },
                "latencyMs" => current with { LatencyMs = value.GetInt32() },
                "blackHole" => current with { BlackHole = value.GetBoolean() },
                "dailyQuota" => current with { DailyQuota = value.ValueKind == JsonValueKind.Null ? null : value.GetInt64() },
                "retryAfterSeconds" => current with { RetryAfterSeconds = value.ValueKind == JsonValueKind.Null ? null : value.GetInt32() },
                _ => current,
            };
        }

        return current;
    }

    private void WriteStats(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("requests", stats.Requests);
        w.WriteNumber("injected429", stats.Injected429);
        w.WriteNumber("injected503", stats.Injected503);
        w.WriteNumber("quotaRejected", stats.QuotaRejected);
        w.WriteNumber("blackHoled", stats.BlackHoled);
        w.WriteStartObject("byEndpoint");
        foreach (var (name, count) in stats.ByEndpoint.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(name, count);
        }

        w.WriteEndObject();
        w.WriteStartObject("byStatus");
        foreach (var (code, count) in stats.ByStatus.OrderBy(p => p.Key))
        {
            w.WriteNumber(code.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private enum Role
    {
        ReadWrite,
        ReadOnly,
    }

    /// <summary>A request body: the parsed JSON (null when empty, <c>null</c> or not JSON) and its text.</summary>
    private readonly record struct RequestBody(JsonElement? Element, string Text)
    {
        /// <summary>The body as an object; argument-less bodies (empty, null, [], {}) read as an empty object.</summary>
        public JsonElement Object => Element is { ValueKind: JsonValueKind.Object } obj ? obj : EmptyObject;

        private static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();
    }
}

/// <summary>camelCase JSON for the admin endpoints.</summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
