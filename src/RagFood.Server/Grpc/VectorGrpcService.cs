using System.Text.Json;
using Grpc.Core;
using RagFood.Core.Usage;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Server.Composition;
using RagFood.Server.Ingestion;
using RagFood.Server.Transfer;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Grpc;

/// <summary>The VectorService RPCs over the composed store: validate, map, call, map back.</summary>
/// <remarks>Every call runs in a <see cref="ServingScope"/> so the response can name the store that served it.</remarks>
internal sealed class VectorGrpcService(IVectorStore store, CorpusIngestor ingestor, StoreInfoCache storeInfo, VectorStoreTopology topology, MetadataStructCache structs, IUsageLedger usage, CutoverInfo cutover, TransferQuota quota) : V1.VectorService.VectorServiceBase
{
    public override async Task<V1.UpsertResponse> Upsert(V1.UpsertRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        RequestLimits.Count(request.Records.Count, "records");
        var records = request.Records.Select((r, i) => ToDomain(r, i)).ToList();
        using var scope = ServingScope.Begin();
        if (records.Any(r => r.Vector is not null))
        {
            await CheckDimensionAsync(records.Where(r => r.Vector is not null).Select(r => (r.Vector!.Length, $"record '{r.Id}'")), context.CancellationToken).ConfigureAwait(false);
        }

        var result = await store.UpsertAsync(new UpsertRequest(records) { Namespace = @namespace }, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.UpsertResponse { Upserted = result.Upserted, ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed, DurableIn = scope.DurableIn ?? serving.ServedBy };
        response.QueuedFor.AddRange(scope.QueuedFor);
        return response;
    }

    public override async Task<V1.IngestResponse> Ingest(V1.IngestRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        RequestLimits.Count(request.Items.Count, "items");
        var items = request.Items.Select(item => StructMapping.ToJson(item)!.Value).ToList();
        using var scope = ServingScope.Begin();
        var outcome = await ingestor.IngestAsync(items, @namespace, context.CancellationToken, request.DryRun).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.IngestResponse
        {
            Written = outcome.Written,
            Unchanged = outcome.Unchanged,
            ServedBy = serving.ServedBy,
            FallbackUsed = serving.FallbackUsed,
            DryRun = request.DryRun,
        };
        response.Problems.AddRange(outcome.Problems.Select(p => new V1.IngestProblem { Index = p.Index, Id = p.Id ?? "", Reason = p.Reason }));
        if (request.DryRun)
        {
            // The primary is read once per batch and written once per batch with something new; with DUAL writes the
            // fallback gets the same upserts, replayed from its journal.
            response.Quota.Add(quota.ForIngest(topology.PrimaryName, outcome.Fetches, outcome.Upserts));
            if (topology.WriteMode == WriteMode.Dual && topology.FallbackName.Length > 0)
            {
                response.Quota.Add(quota.ForIngest(topology.FallbackName, 0, outcome.Upserts));
            }
        }

        return response;
    }

    public override async Task<V1.QueryResponse> Query(V1.QueryRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        var hasText = !string.IsNullOrEmpty(request.Text);
        var hasVector = request.Vector.Count > 0;
        if (hasText == hasVector)
        {
            throw RequestLimits.Invalid(hasText
                ? "send either text or vector, not both."
                : "send text (to have the store embed it) or a vector.");
        }

        var query = new VectorQuery
        {
            Text = RequestLimits.Text(hasText ? request.Text : null, "text"),
            Vector = hasVector ? request.Vector.ToArray() : null,
            TopK = RequestLimits.TopK(request.TopK, RequestLimits.DefaultQueryTopK, RequestLimits.MaxQueryTopK),
            Filter = RequestLimits.Filter(request.Filter),
            Include = ToInclude(request.IncludeVectors, request.HasIncludeMetadata ? request.IncludeMetadata : null, request.HasIncludeText ? request.IncludeText : null),
            Namespace = @namespace,
        };

        using var scope = ServingScope.Begin();
        var info = hasVector
            ? await CheckDimensionAsync([(request.Vector.Count, "vector")], context.CancellationToken).ConfigureAwait(false)
            : await storeInfo.GetAsync(context.CancellationToken).ConfigureAwait(false);
        var matches = await store.QueryAsync(query, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.QueryResponse { ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed, EmbeddingModel = info.EmbeddingModel };
        response.Matches.Capacity = matches.Count;
        foreach (var match in matches)
        {
            response.Matches.Add(ToProto(match));
        }

        return response;
    }

    public override async Task<V1.FetchResponse> Fetch(V1.FetchRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        var byIds = request.Ids.Count > 0;
        var byPrefix = !string.IsNullOrEmpty(request.Prefix);
        if (byIds && byPrefix)
        {
            throw RequestLimits.Invalid("send either ids or prefix, not both.");
        }

        if (!byIds && !byPrefix)
        {
            throw RequestLimits.Invalid("send ids to read, or a prefix to read every record whose id starts with it.");
        }

        if (byIds)
        {
            RequestLimits.Count(request.Ids.Count, "ids");
            foreach (var id in request.Ids)
            {
                RequestLimits.Id(id);
            }
        }

        var include = ToInclude(request.IncludeVectors, request.HasIncludeMetadata ? request.IncludeMetadata : null, request.HasIncludeText ? request.IncludeText : null);
        var fetch = byIds
            ? new FetchRequest { Ids = request.Ids.ToList(), Include = include, Namespace = @namespace }
            : new FetchRequest { Prefix = RequestLimits.Id(request.Prefix, "prefix"), Include = include, Namespace = @namespace };

        using var scope = ServingScope.Begin();
        var records = await store.FetchAsync(fetch, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.FetchResponse { ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed };
        if (byIds)
        {
            for (var i = 0; i < request.Ids.Count; i++)
            {
                var record = i < records.Count ? records[i] : null;
                response.Results.Add(new V1.FetchResult { Id = request.Ids[i], Found = record is not null, Record = record is null ? null : ToProto(record) });
            }
        }
        else
        {
            response.Results.AddRange(records.OfType<VectorRecord>().Select(r => new V1.FetchResult { Id = r.Id, Found = true, Record = ToProto(r) }));
        }

        return response;
    }

    public override async Task<V1.DeleteResponse> Delete(V1.DeleteRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        var given = (request.Ids.Count > 0 ? 1 : 0) + (string.IsNullOrEmpty(request.Prefix) ? 0 : 1) + (string.IsNullOrWhiteSpace(request.Filter) ? 0 : 1);
        if (given != 1)
        {
            throw RequestLimits.Invalid(given == 0
                ? "say what to delete: ids, a prefix, or a filter."
                : "send exactly one of ids, prefix and filter.");
        }

        DeleteRequest delete;
        if (request.Ids.Count > 0)
        {
            RequestLimits.Count(request.Ids.Count, "ids");
            delete = new DeleteRequest { Ids = request.Ids.Select(id => RequestLimits.Id(id)).ToList(), Namespace = @namespace };
        }
        else if (!string.IsNullOrEmpty(request.Prefix))
        {
            delete = new DeleteRequest { Prefix = RequestLimits.Id(request.Prefix, "prefix"), Namespace = @namespace };
        }
        else
        {
            delete = new DeleteRequest { Filter = RequestLimits.Filter(request.Filter), Namespace = @namespace };
        }

        using var scope = ServingScope.Begin();
        var deleted = await store.DeleteAsync(delete, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.DeleteResponse { Deleted = deleted, ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed, DurableIn = scope.DurableIn ?? serving.ServedBy };
        response.QueuedFor.AddRange(scope.QueuedFor);
        return response;
    }

    public override async Task<V1.RangeResponse> Range(V1.RangeRequest request, ServerCallContext context)
    {
        var range = new RangeRequest
        {
            Cursor = request.Cursor,
            Limit = RequestLimits.RangeLimit(request.Limit),
            Prefix = string.IsNullOrEmpty(request.Prefix) ? null : RequestLimits.Id(request.Prefix, "prefix"),
            Include = ToInclude(request.IncludeVectors, request.HasIncludeMetadata ? request.IncludeMetadata : null, request.HasIncludeText ? request.IncludeText : null),
            Namespace = RequestLimits.Namespace(request.Namespace),
        };

        using var scope = ServingScope.Begin();
        var page = await store.RangeAsync(range, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.RangeResponse { NextCursor = page.NextCursor, ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed };
        response.Records.AddRange(page.Records.Select(ToProto));
        return response;
    }

    public override async Task<V1.InfoResponse> Info(V1.InfoRequest request, ServerCallContext context)
    {
        using var scope = ServingScope.Begin();
        var info = await store.GetInfoAsync(context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.InfoResponse
        {
            Store = scope.StoreName ?? info.Store,
            VectorCount = info.VectorCount,
            Dimension = info.Dimension,
            Similarity = info.Similarity switch
            {
                SimilarityFunction.Cosine => "COSINE",
                SimilarityFunction.Euclidean => "EUCLIDEAN",
                _ => "DOT_PRODUCT",
            },
            EmbeddingModel = info.EmbeddingModel,
            FallbackStore = topology.FallbackName,
            WriteMode = topology.WriteMode == WriteMode.Dual ? "DUAL" : "PRIMARY",
            FallbackUsed = serving.FallbackUsed,
        };
        response.Namespaces.AddRange(info.Namespaces.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new V1.NamespaceInfo { Name = n.Key, VectorCount = n.Value }));
        await cutover.FillAsync(response, context.CancellationToken).ConfigureAwait(false);
        response.Usage.AddRange(usage.GetReport().Stores.Select(Operations.UsageMapping.ToProto));
        return response;
    }

    public override async Task<V1.ResetResponse> Reset(V1.ResetRequest request, ServerCallContext context)
    {
        var @namespace = RequestLimits.Namespace(request.Namespace);
        if (request.All && @namespace.Length > 0)
        {
            throw RequestLimits.Invalid("send either a namespace or all, not both.");
        }

        using var scope = ServingScope.Begin();
        await store.ResetAsync(@namespace, request.All, context.CancellationToken).ConfigureAwait(false);
        var servedBy = ServingInfo.From(scope, topology).ServedBy;
        var response = new V1.ResetResponse { ServedBy = servedBy, DurableIn = scope.DurableIn ?? servedBy };
        response.QueuedFor.AddRange(scope.QueuedFor);
        return response;
    }

    public override async Task<V1.ListNamespacesResponse> ListNamespaces(V1.ListNamespacesRequest request, ServerCallContext context)
    {
        using var scope = ServingScope.Begin();
        var namespaces = await store.ListNamespacesAsync(context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new V1.ListNamespacesResponse { ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed };
        response.Namespaces.AddRange(namespaces);
        return response;
    }

    public override async Task<V1.DeleteNamespaceResponse> DeleteNamespace(V1.DeleteNamespaceRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Namespace))
        {
            throw RequestLimits.Invalid("the default namespace \"\" cannot be deleted; use Reset to empty it.");
        }

        var @namespace = RequestLimits.Namespace(request.Namespace);
        using var scope = ServingScope.Begin();
        var deleted = await store.DeleteNamespaceAsync(@namespace, context.CancellationToken).ConfigureAwait(false);
        var servedBy = ServingInfo.From(scope, topology).ServedBy;
        var response = new V1.DeleteNamespaceResponse { Deleted = deleted, ServedBy = servedBy, DurableIn = scope.DurableIn ?? servedBy };
        response.QueuedFor.AddRange(scope.QueuedFor);
        return response;
    }

    /// <summary>Rejects vectors whose length is not the store's dimension, naming both.</summary>
    private async Task<VectorStoreInfo> CheckDimensionAsync(IEnumerable<(int Length, string What)> vectors, CancellationToken cancellationToken)
    {
        var info = await storeInfo.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (length, what) in vectors)
        {
            if (length != info.Dimension)
            {
                throw RequestLimits.Invalid($"{what} has {length} dimensions; the store '{info.Store}' ({info.EmbeddingModel}) expects {info.Dimension}.");
            }
        }

        return info;
    }

    private static VectorRecord ToDomain(V1.VectorRecord record, int index)
    {
        var id = RequestLimits.Id(record.Id, $"records[{index}].id");
        var text = RequestLimits.Text(record.HasText ? record.Text : null, $"records[{index}].text");
        if (string.IsNullOrEmpty(text) && record.Vector.Count == 0)
        {
            throw RequestLimits.Invalid($"records[{index}] ('{id}') has neither text nor vector: send text for the store to embed, or a vector.");
        }

        if (string.IsNullOrWhiteSpace(text) && record.Vector.Count == 0)
        {
            throw RequestLimits.Invalid($"records[{index}]: {VectorStoreMessages.NothingToEmbed(id)}");
        }

        JsonElement? metadata;
        try
        {
            metadata = StructMapping.ToJson(record.Metadata);
        }
        catch (ArgumentException ex)
        {
            throw RequestLimits.Invalid($"records[{index}] ('{id}'): {ex.Message}");
        }

        RequestLimits.Kernel(() => { VectorStoreRules.Metadata(id, metadata); return 0; }, $"records[{index}]");

        return new VectorRecord(id)
        {
            Text = string.IsNullOrEmpty(text) ? null : text,
            Vector = record.Vector.Count > 0 ? record.Vector.ToArray() : null,
            Metadata = metadata,
        };
    }

    private static Include ToInclude(bool vectors, bool? metadata, bool? text) => new(vectors, metadata ?? true, text ?? true);

    private V1.VectorRecord ToProto(VectorRecord record)
    {
        var result = new V1.VectorRecord { Id = record.Id, Metadata = structs.Get(record.Metadata) };
        if (record.Text is not null)
        {
            result.Text = record.Text;
        }

        if (record.Vector is not null)
        {
            result.Vector.AddRange(record.Vector);
        }

        return result;
    }

    private V1.ScoredRecord ToProto(ScoredRecord match)
    {
        var result = new V1.ScoredRecord { Id = match.Id, Score = match.Score, Metadata = structs.Get(match.Metadata) };
        if (match.RawScore is { } raw)
        {
            result.RawScore = raw;
        }

        if (match.Text is not null)
        {
            result.Text = match.Text;
        }

        if (match.Vector is not null)
        {
            result.Vector.AddRange(match.Vector);
        }

        return result;
    }
}
