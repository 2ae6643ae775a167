using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFood.Core.Durable;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer;

/// <summary>Settings of the engine itself (not of one run).</summary>
public sealed class MigrationEngineOptions
{
    /// <summary>Attempts per batch on transient target failures (the store's own retries come first).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First backoff delay between attempts; doubled each time, at most <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Refused records and one-sided ids listed in a summary; beyond it only counted.</summary>
    public int MaxListed { get; set; } = 100;
}

/// <summary>Copies records from a source to a target in batches, checkpointing after every acknowledged batch.</summary>
/// <remarks>
/// <para>Everything that can be checked is checked before the first write: the source exists and is readable, the
/// target answers and accepts the credentials, the batch size is within the target's limit, and in vectors mode both
/// sides are in the same embedding space. Then each namespace is read page by page (page = batch), each batch is
/// upserted (idempotent by id) and, once acknowledged, its source position is stored durably, so a killed run resumed
/// with <see cref="MigrationPlan.Resume"/> repeats at most the batch in flight.</para>
/// <para>Transient failures are retried with backoff. A daily quota that runs out (Upstash's "max daily request
/// limit") ends the run as <see cref="MigrationStatus.Paused"/> with a message naming the quota; the checkpoint
/// stands and a later run with <c>Resume</c> continues. A batch the target rejects as invalid is retried record by
/// record so that only the bad records are refused, each with the target's reason.</para>
/// </remarks>
public sealed class MigrationEngine(IMigrationCheckpointStore checkpoints, MigrationEngineOptions? options = null, ILogger<MigrationEngine>? logger = null, TimeProvider? time = null)
{
    private readonly MigrationEngineOptions _options = options ?? new MigrationEngineOptions();
    private readonly ILogger _logger = logger ?? NullLogger<MigrationEngine>.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Checks a plan against its source and target without writing anything; returns the resolved mode.</summary>
    /// <exception cref="TransferInputException">Bad input (batch size, missing source, unreadable vectors).</exception>
    /// <exception cref="EmbeddingSpaceMismatchException">Vectors mode across embedding spaces.</exception>
    public async Task<(SourceDescription Source, TransferMode Mode)> PrepareAsync(MigrationPlan plan, CancellationToken cancellationToken = default)
    {
        var (source, _, mode) = await PrepareWithTargetAsync(plan, cancellationToken).ConfigureAwait(false);
        return (source, mode);
    }

    private async Task<(SourceDescription Source, Sinks.SinkDescription Target, TransferMode Mode)> PrepareWithTargetAsync(MigrationPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.BatchSize < 1 || plan.BatchSize > plan.Target.MaxBatchSize)
        {
            throw new TransferInputException($"Batch size {plan.BatchSize} is outside what {plan.Target.Name} accepts per write (1 to {plan.Target.MaxBatchSize}).");
        }

        var source = await WithRetriesAsync(plan.JobKey, plan.Source.Name, () => plan.Source.DescribeAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        if (plan.SourceSpace is { } declared)
        {
            source = source with { Space = declared };
        }

        if (plan.Namespace is { } ns && !source.Counts.ContainsKey(ns))
        {
            throw new TransferInputException($"{source.Name} has no namespace '{ns}' (it has: {string.Join(", ", source.Counts.Keys.Select(k => $"'{k}'"))}).");
        }

        var target = await WithRetriesAsync(plan.JobKey, plan.Target.Name, () => plan.Target.DescribeAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        var mode = plan.Mode;
        if (mode == TransferMode.Auto)
        {
            mode = source.VectorsReadable && source.Space is not null && (target.Space is null || target.Space == source.Space) ? TransferMode.Vectors : TransferMode.Text;
        }

        if (mode == TransferMode.Vectors)
        {
            if (!source.VectorsReadable)
            {
                throw new TransferInputException($"Vectors mode copies stored vectors, but {source.Name} cannot give them: {source.Note ?? "its vectors are not readable"}. Use text mode to re-embed from the text.");
            }

            if (source.Space is null)
            {
                throw new TransferInputException($"{source.Name} does not record which embedding model wrote its vectors; name it (source embedding model, e.g. mxbai-embed-large) or use text mode.");
            }

            if (target.Space is null && target.Dimension > 0 && target.Dimension != source.Space.Dimension)
            {
                throw new EmbeddingSpaceMismatchException(target.Name, new EmbeddingSpace("(model not recorded)", target.Dimension), source.Space,
                    $"Vectors mode needs the target's dimension to match: the source {source.Name} is {source.Space}, the target {target.Name} holds {target.Dimension}-d vectors. Use text mode to re-embed for the target.");
            }

            if (target.Space is { } targetSpace && targetSpace != source.Space)
            {
                throw new EmbeddingSpaceMismatchException(target.Name, targetSpace, source.Space,
                    $"Vectors mode copies stored vectors, which is only meaningful between stores in the same embedding space: the source {source.Name} is {source.Space}, the target {target.Name} is {targetSpace}. Use text mode to re-embed for the target.");
            }
        }

        return (source, target, mode);
    }

    /// <summary>Runs a plan, streaming progress; the last event carries the summary.</summary>
    public async IAsyncEnumerable<MigrationEvent> RunAsync(MigrationPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (source, target, mode) = await PrepareWithTargetAsync(plan, cancellationToken).ConfigureAwait(false);
        var job = plan.JobKey;
        var durable = plan.Target.SupportsResume && !plan.DryRun;
        var notes = new List<string>();
        if (source.Note is not null)
        {
            notes.Add(source.Name + ": " + source.Note);
        }

        var saved = new Dictionary<string, MigrationCheckpoint>(StringComparer.Ordinal);
        if (plan.Resume && durable)
        {
            foreach (var checkpoint in await checkpoints.LoadAsync(job, cancellationToken).ConfigureAwait(false))
            {
                saved[checkpoint.Namespace] = checkpoint;
            }

            if (saved.Count == 0)
            {
                notes.Add("no checkpoint for this job: started from the beginning");
            }
        }
        else
        {
            if (plan.Resume)
            {
                notes.Add(plan.DryRun ? "dry run: checkpoints ignored" : $"{plan.Target.Name} cannot resume: started from the beginning");
            }

            if (durable)
            {
                await checkpoints.DeleteAsync(job, cancellationToken).ConfigureAwait(false);
            }
        }

        var namespaces = plan.Namespace is { } only ? [only] : source.Counts.Keys.Order(StringComparer.Ordinal).ToList();
        var total = namespaces.Sum(ns => source.Counts.GetValueOrDefault(ns));
        var state = new RunState { Refused = new List<RefusedRecord>() };
        foreach (var checkpoint in saved.Values)
        {
            state.Read += checkpoint.Read;
            state.Written += checkpoint.Written;
            state.Skipped += checkpoint.Skipped;
            state.RefusedCount += checkpoint.Refused;
        }

        var readAtStart = state.Read;
        var started = Stopwatch.GetTimestamp();
        if (mode == TransferMode.Vectors && target.Space is null && plan.Target.SupportsResume)
        {
            notes.Add($"{plan.Target.Name} records no embedding model: the vectors are copied as {source.Space}; query it with that model");
        }

        var resumedNote = saved.Count > 0 ? " (resumed)" : "";
        var modeName = mode.ToString();
        TransferLog.Started(_logger, job, source.Name, plan.Target.Name, modeName, total, plan.BatchSize, resumedNote);
        yield return new MigrationEvent(MigrationEventKind.Started, job) { Total = total, Read = state.Read, Written = state.Written, Skipped = state.Skipped, Refused = state.RefusedCount, Message = string.Join("; ", notes) };

        if (plan.Target is Export.ExportFileSink export)
        {
            export.Source = source with { VectorsReadable = mode == TransferMode.Vectors };
        }

        var sourceOnly = new List<string>();
        long sourceOnlyCount = 0;
        string? pausedFor = null;
        foreach (var ns in namespaces)
        {
            var checkpoint = saved.GetValueOrDefault(ns) ?? new MigrationCheckpoint(job, ns, "", false, 0, 0, 0, 0);
            if (checkpoint.Completed)
            {
                continue;
            }

            // A namespace the target did not have before this job cannot hold unchanged records: no need to look.
            var lookForUnchanged = plan.SkipUnchanged && (saved.ContainsKey(ns) || target.Counts.GetValueOrDefault(ns) > 0);

            await foreach (var page in plan.Source.ReadAsync(ns, plan.BatchSize, mode == TransferMode.Vectors, checkpoint.Position, cancellationToken).WithLookaheadAsync(cancellationToken).ConfigureAwait(false))
            {
                var batch = new List<VectorRecord>(page.Records.Count);
                var refusedHere = new List<RefusedRecord>();
                foreach (var original in page.Records)
                {
                    var record = original;
                    if (plan.Corpus is { } corpus)
                    {
                        record = corpus.Apply(record, out var joined);
                        if (!joined)
                        {
                            sourceOnlyCount++;
                            if (sourceOnly.Count < _options.MaxListed)
                            {
                                sourceOnly.Add(record.Id);
                            }
                        }
                    }

                    var reason = Refusal(record, mode);
                    if (reason is null)
                    {
                        batch.Add(mode == TransferMode.Vectors ? record : record with { Vector = null });
                    }
                    else
                    {
                        refusedHere.Add(new RefusedRecord(ns, record.Id, reason));
                    }
                }

                var skipped = 0;
                var written = 0;
                state.SourcePages++;
                try
                {
                    if (lookForUnchanged && batch.Count > 0)
                    {
                        state.TargetFetches++;
                        var before = batch.Count;
                        var current = batch;
                        batch = await WithRetriesAsync(job, plan.Target.Name, () => DropUnchangedAsync(plan, ns, current, mode, cancellationToken), cancellationToken).ConfigureAwait(false);
                        skipped = before - batch.Count;
                    }

                    if (batch.Count > 0)
                    {
                        state.TargetWrites++;
                    }

                    if (plan.DryRun)
                    {
                        written = batch.Count;
                    }
                    else if (batch.Count > 0)
                    {
                        written = await WriteAsync(job, plan, ns, batch, refusedHere, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (VectorStoreException ex) when (IsQuotaExhausted(ex))
                {
                    pausedFor = QuotaMessage(ex);
                }

                if (pausedFor is not null)
                {
                    break;
                }

                foreach (var refused in refusedHere)
                {
                    TransferLog.Refused(_logger, job, refused.Namespace, refused.Id, refused.Reason);
                    if (state.Refused.Count < _options.MaxListed)
                    {
                        state.Refused.Add(refused);
                    }
                }

                checkpoint = checkpoint with
                {
                    Position = page.Position,
                    Read = checkpoint.Read + page.Records.Count,
                    Written = checkpoint.Written + written,
                    Skipped = checkpoint.Skipped + skipped,
                    Refused = checkpoint.Refused + refusedHere.Count,
                };
                if (durable)
                {
                    await checkpoints.SaveAsync(checkpoint, cancellationToken).ConfigureAwait(false);
                }

                state.Read += page.Records.Count;
                state.Written += written;
                state.Skipped += skipped;
                state.RefusedCount += refusedHere.Count;
                var elapsed = Stopwatch.GetElapsedTime(started);
                var rate = elapsed.TotalSeconds > 0 ? (state.Read - readAtStart) / elapsed.TotalSeconds : 0;
                yield return new MigrationEvent(MigrationEventKind.Progress, job)
                {
                    Namespace = ns,
                    Total = total,
                    Read = state.Read,
                    Written = state.Written,
                    Skipped = state.Skipped,
                    Refused = state.RefusedCount,
                    RefusedRecords = refusedHere,
                    RecordsPerSecond = rate,
                    Eta = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - state.Read) / rate) : null,
                };
            }

            if (pausedFor is not null)
            {
                break;
            }

            if (durable)
            {
                await checkpoints.SaveAsync(checkpoint with { Completed = true }, cancellationToken).ConfigureAwait(false);
            }
        }

        if (pausedFor is not null)
        {
            TransferLog.Paused(_logger, job, pausedFor);
            yield return new MigrationEvent(MigrationEventKind.Paused, job) { Total = total, Read = state.Read, Written = state.Written, Skipped = state.Skipped, Refused = state.RefusedCount, Message = pausedFor };
        }
        else if (!plan.DryRun)
        {
            await plan.Target.CompleteAsync(source, cancellationToken).ConfigureAwait(false);
        }

        var corpusOnly = plan.Corpus is { } c && pausedFor is null ? c.UnseenCorpusIds() : [];
        if (sourceOnlyCount > sourceOnly.Count)
        {
            notes.Add($"{sourceOnlyCount} source ids are not in the corpus; the first {sourceOnly.Count} are listed");
        }

        if (corpusOnly.Count > 0)
        {
            notes.Add($"{corpusOnly.Count} corpus ids are not in the source (not written)");
        }

        var summary = new MigrationSummary(job, pausedFor is null ? MigrationStatus.Completed : MigrationStatus.Paused, mode, source.Name, plan.Target.Name)
        {
            Read = state.Read,
            Written = state.Written,
            Skipped = state.Skipped,
            Refused = state.RefusedCount,
            RefusedRecords = state.Refused,
            DryRun = plan.DryRun,
            Resumed = saved.Count > 0,
            Elapsed = Stopwatch.GetElapsedTime(started),
            SourceOnlyIds = sourceOnly,
            CorpusOnlyIds = corpusOnly.Take(_options.MaxListed).ToList(),
            Notes = notes,
            Message = pausedFor,
            Calls = new TransferCalls(state.SourcePages, state.TargetFetches, state.TargetWrites),
        };
        TransferLog.Finished(_logger, job, summary.Read, summary.Written, summary.Skipped, summary.Refused, summary.Elapsed.TotalSeconds);
        yield return new MigrationEvent(MigrationEventKind.Completed, job)
        {
            Total = total,
            Read = state.Read,
            Written = state.Written,
            Skipped = state.Skipped,
            Refused = state.RefusedCount,
            Message = pausedFor,
            Summary = summary,
        };
    }

    /// <summary>True for Upstash's daily request quota (429 "max daily request limit exceeded"), which retrying today cannot fix.</summary>
    internal static bool IsQuotaExhausted(VectorStoreException ex) =>
        ex.Kind == VectorStoreErrorKind.ResourceExhausted && ex.Message.Contains("daily", StringComparison.OrdinalIgnoreCase);

    private static string QuotaMessage(VectorStoreException ex) =>
        $"the daily request quota of {ex.StoreName} is used up ({ex.Message}); the checkpoint is kept — run again with --resume once the quota resets (UTC midnight) or is raised";

    private static string? Refusal(VectorRecord record, TransferMode mode)
    {
        if (mode == TransferMode.Vectors)
        {
            return record.Vector is { Length: > 0 } ? null : "no stored vector to copy (use text mode to re-embed it)";
        }

        return string.IsNullOrWhiteSpace(record.Text) ? "no text to embed (the source record has no document)" : null;
    }

    private static async Task<List<VectorRecord>> DropUnchangedAsync(MigrationPlan plan, string ns, List<VectorRecord> batch, TransferMode mode, CancellationToken cancellationToken)
    {
        var existing = await plan.Target.FetchExistingAsync(ns, batch.Select(r => r.Id).ToList(), mode == TransferMode.Vectors, cancellationToken).ConfigureAwait(false);
        var kept = new List<VectorRecord>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var current = existing[i];
            var unchanged = current is not null
                && ContentHashing.Of(current) == ContentHashing.Of(batch[i])
                && (mode != TransferMode.Vectors || ContentHashing.VectorsEqual(current.Vector, batch[i].Vector));
            if (!unchanged)
            {
                kept.Add(batch[i]);
            }
        }

        return kept;
    }

    /// <summary>Writes a batch; an invalid batch is retried record by record and the bad records are refused.</summary>
    private async Task<int> WriteAsync(string job, MigrationPlan plan, string ns, List<VectorRecord> batch, List<RefusedRecord> refused, CancellationToken cancellationToken)
    {
        try
        {
            await WithRetriesAsync(job, plan.Target.Name, async () =>
            {
                await plan.Target.WriteAsync(ns, batch, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            return batch.Count;
        }
        catch (VectorStoreException ex) when (ex.Kind == VectorStoreErrorKind.InvalidRequest && batch.Count > 1)
        {
            var written = 0;
            foreach (var record in batch)
            {
                try
                {
                    await WithRetriesAsync(job, plan.Target.Name, async () =>
                    {
                        await plan.Target.WriteAsync(ns, [record], cancellationToken).ConfigureAwait(false);
                        return true;
                    }, cancellationToken).ConfigureAwait(false);
                    written++;
                }
                catch (VectorStoreException one) when (one.Kind == VectorStoreErrorKind.InvalidRequest)
                {
                    refused.Add(new RefusedRecord(ns, record.Id, one.Message));
                }
            }

            return written;
        }
        catch (ArgumentException ex) when (batch.Count == 1)
        {
            refused.Add(new RefusedRecord(ns, batch[0].Id, ex.Message));
            return 0;
        }
    }

    private async Task<T> WithRetriesAsync<T>(string job, string target, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (VectorStoreException ex) when (ex.IsTransient && !IsQuotaExhausted(ex) && attempt < _options.MaxAttempts)
            {
                var kind = ex.Kind.ToString();
                TransferLog.Retrying(_logger, job, target, kind, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    private sealed class RunState
    {
        public long Read;
        public long Written;
        public long Skipped;
        public long RefusedCount;
        public long SourcePages;
        public long TargetFetches;
        public long TargetWrites;
        public required List<RefusedRecord> Refused;
    }
}
