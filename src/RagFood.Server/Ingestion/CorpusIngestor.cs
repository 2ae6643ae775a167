using System.Text.Json;
using Microsoft.Extensions.Options;
using RagFood.Core.Corpus;
using RagFood.Core.Telemetry;
using RagFood.Core.VectorStores;
using RagFood.Server.Logging;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Server.Ingestion;

/// <summary>What an ingestion did (or, in a dry run, would do). Problems carry the item's position in the input and its
/// id. <paramref name="Fetches"/> and <paramref name="Upserts"/> count the store calls made (a dry run counts the upserts
/// it would make: one per batch with something to write, before any item-by-item retry of a rejected batch).</summary>
internal sealed record IngestOutcome(int Written, int Unchanged, IReadOnlyList<CorpusProblem> Problems, int Fetches = 0, int Upserts = 0);

/// <summary>Maps food items to records and upserts them idempotently, in batches.</summary>
/// <remarks>
/// <para>For each batch the existing records are fetched first and only new or edited items (by <see cref="FoodItem.ContentHash"/>) are
/// written, so a second ingestion of the same corpus embeds nothing. When the store rejects a batch as invalid, the
/// batch is retried item by item so that one bad item is reported and the others still land. Store failures and
/// cancellation propagate.</para>
/// <para>Each batch adds its items to <c>ragfood.ingestion.items</c> (by outcome: written, unchanged, rejected), so that a
/// long ingestion (start-up or the Ingest RPC) shows its progress while it runs.</para>
/// </remarks>
internal sealed class CorpusIngestor(IVectorStore store, IOptions<IngestionOptions> options, ILogger<CorpusIngestor> logger, RagFoodMetrics? metrics = null)
{
    internal const int MaxLoggedProblems = 10;

    /// <summary>Maps raw items with <see cref="FoodCorpusLoader"/> and ingests the usable ones; with
    /// <paramref name="dryRun"/> it writes nothing and reports what it would write.</summary>
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<JsonElement> rawItems, string @namespace, CancellationToken cancellationToken, bool dryRun = false)
    {
        var mapped = FoodCorpusLoader.Map(rawItems);
        // Every problem is in the outcome; the log gets the first few per call, so that an Ingest RPC full of bad items
        // (1000 a call) cannot turn into 1000 log lines a call. A dry run ingests nothing, so it logs and counts nothing.
        if (!dryRun)
        {
            Count("rejected", mapped.Problems.Count);
            foreach (var problem in mapped.Problems.Take(MaxLoggedProblems))
            {
                Log.IngestionProblem(logger, problem.Index, problem.Id, problem.Reason);
            }

            if (mapped.Problems.Count > MaxLoggedProblems)
            {
                Log.IngestionProblemsNotLogged(logger, mapped.Problems.Count - MaxLoggedProblems);
            }
        }

        var positions = IndexById(rawItems);
        var outcome = await IngestAsync(mapped.Items, @namespace, cancellationToken, dryRun).ConfigureAwait(false);
        var problems = mapped.Problems
            .Concat(outcome.Problems.Select(p => p with { Index = p.Id is not null && positions.TryGetValue(p.Id, out var index) ? index : p.Index }))
            .OrderBy(p => p.Index)
            .ToList();
        return outcome with { Problems = problems };
    }

    /// <summary>Ingests already-mapped items. Problem indexes refer to <paramref name="items"/>. A
    /// <paramref name="dryRun"/> fetches as the real run does but writes nothing; its <c>Written</c> counts the new or
    /// changed items.</summary>
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<FoodItem> items, string @namespace, CancellationToken cancellationToken, bool dryRun = false)
    {
        var written = 0;
        var unchanged = 0;
        var fetches = 0;
        var upserts = 0;
        var problems = new List<CorpusProblem>();
        var batchSize = options.Value.BatchSize;
        for (var start = 0; start < items.Count; start += batchSize)
        {
            var batch = items.Skip(start).Take(batchSize).Select((item, i) => (Index: start + i, Record: ToRecord(item), Hash: item.ContentHash)).ToList();
            var existing = await store.FetchAsync(
                new FetchRequest { Ids = batch.Select(b => b.Record.Id).ToList(), Include = new Include(Vectors: false, Metadata: true, Text: true), Namespace = @namespace },
                cancellationToken).ConfigureAwait(false);
            fetches++;

            var changed = new List<(int Index, VectorRecord Record)>();
            for (var i = 0; i < batch.Count; i++)
            {
                var current = i < existing.Count ? existing[i] : null;
                if (current is not null && RecordContentHash.Compute(current.Text, current.Metadata) == batch[i].Hash)
                {
                    unchanged++;
                }
                else
                {
                    changed.Add((batch[i].Index, batch[i].Record));
                }
            }

            upserts += changed.Count > 0 ? 1 : 0;
            if (dryRun)
            {
                written += changed.Count;
                continue;
            }

            var problemsBefore = problems.Count;
            var batchWritten = await WriteAsync(changed, @namespace, problems, cancellationToken).ConfigureAwait(false);
            written += batchWritten;
            Count("written", batchWritten);
            Count("unchanged", batch.Count - changed.Count);
            Count("rejected", problems.Count - problemsBefore);
            Log.IngestionBatch(logger, batch.Count, changed.Count, batch.Count - changed.Count);
        }

        return new IngestOutcome(written, unchanged, problems, fetches, upserts);
    }

    private async Task<int> WriteAsync(List<(int Index, VectorRecord Record)> changed, string @namespace, List<CorpusProblem> problems, CancellationToken cancellationToken)
    {
        if (changed.Count == 0)
        {
            return 0;
        }

        try
        {
            var result = await store.UpsertAsync(new UpsertRequest(changed.Select(c => c.Record).ToList()) { Namespace = @namespace }, cancellationToken).ConfigureAwait(false);
            return result.Upserted;
        }
        catch (Exception ex) when (IsItemRejection(ex) && changed.Count > 1)
        {
            // One item spoiled the batch: write the items one by one to find it and keep the rest.
        }

        var written = 0;
        foreach (var (index, record) in changed)
        {
            try
            {
                written += (await store.UpsertAsync(new UpsertRequest([record]) { Namespace = @namespace }, cancellationToken).ConfigureAwait(false)).Upserted;
            }
            catch (Exception ex) when (IsItemRejection(ex))
            {
                if (problems.Count < MaxLoggedProblems)
                {
                    Log.IngestionProblem(logger, index, record.Id, ex.Message);
                }

                problems.Add(new CorpusProblem(index, record.Id, ex.Message));
            }
        }

        return written;
    }

    private void Count(string outcome, int items)
    {
        if (items > 0)
        {
            metrics?.IngestionItems.Add(items, new KeyValuePair<string, object?>("ragfood.outcome", outcome));
        }
    }

    private static bool IsItemRejection(Exception exception) =>
        exception is ArgumentException || exception is VectorStoreException { Kind: VectorStoreErrorKind.InvalidRequest };

    internal static VectorRecord ToRecord(FoodItem item) => new(item.Id) { Text = item.EnrichedText, Metadata = item.ToMetadata() };

    private static Dictionary<string, int> IndexById(IReadOnlyList<JsonElement> rawItems)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rawItems.Count; i++)
        {
            if (rawItems[i].ValueKind == JsonValueKind.Object && rawItems[i].TryGetProperty("id", out var id))
            {
                var key = id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText();
                if (key is not null)
                {
                    positions.TryAdd(key, i);
                }
            }
        }

        return positions;
    }
}
