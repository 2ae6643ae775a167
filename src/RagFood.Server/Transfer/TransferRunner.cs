using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RagFood.Transfer;
using RagFood.Transfer.Sources;
using RagFood.Transfer.Verification;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>How to verify after a transfer, or standalone.</summary>
/// <remarks>Paths are resolved (and checked) already; an empty report path means the default under <c>Migration:Directory</c>.</remarks>
internal sealed record VerifyAfter(bool Enabled, string ReportPath, string QuestionsPath, int SampleSize);

/// <summary>Runs a plan with the engine, maps its events, then verifies the target against the source and writes the
/// report as JSON; a dry run's summary also says what the real run would spend of today's quotas. Shared by Migrate,
/// Export and Restore.</summary>
internal sealed class TransferRunner(MigrationEngine engine, StoreVerifier verifier, TransferEndpoints endpoints, TransferQuota quota, TransferMetrics metrics, IOptions<MigrationOptions> options)
{
    /// <param name="plan">What to transfer.</param>
    /// <param name="verify">Whether and how to verify at the end.</param>
    /// <param name="kind">migrate, export or restore: the <c>ragfood.transfer.kind</c> of its metrics.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async IAsyncEnumerable<V1.TransferEvent> RunAsync(MigrationPlan plan, VerifyAfter verify, string kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var mode = plan.Mode;
        var measured = metrics.Start(plan, kind);
        await foreach (var e in engine.RunAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            measured?.Observe(e);
            if (e.Kind != MigrationEventKind.Completed)
            {
                yield return TransferMapping.ToProto(e, plan.Source.Name, plan.Target.Name, mode);
                continue;
            }

            var summary = TransferMapping.ToProto(e.Summary!);
            if (plan.DryRun && e.Summary!.Status == MigrationStatus.Completed)
            {
                summary.Quota.AddRange(quota.Estimate(plan, e.Summary, verify.Enabled));
            }

            if (verify.Enabled && !plan.DryRun && e.Summary!.Status == MigrationStatus.Completed)
            {
                await using var written = plan.Target.OpenAsSource();
                var (report, path) = await VerifyAsync(plan.Source, written, e.Summary.Mode, plan.Corpus, plan.Namespace, verify, cancellationToken).ConfigureAwait(false);
                summary.Verification = TransferMapping.ToProto(report);
                summary.ReportPath = path;
            }

            yield return new V1.TransferEvent { Summary = summary };
        }
    }

    /// <summary>Compares and writes the report; returns it with the path written.</summary>
    public async Task<(VerificationReport Report, string Path)> VerifyAsync(IRecordSource expected, IRecordSource actual, TransferMode mode, CorpusJoin? corpus, string? @namespace, VerifyAfter verify, CancellationToken cancellationToken)
    {
        var questions = mode == TransferMode.Text ? await LoadQuestionsAsync(verify.QuestionsPath, cancellationToken).ConfigureAwait(false) : [];
        var report = await verifier.VerifyAsync(expected, actual, new VerifyOptions
        {
            Mode = mode == TransferMode.Vectors ? TransferMode.Vectors : TransferMode.Text,
            Namespace = @namespace,
            ExpectedTransform = corpus is null ? null : corpus.Apply,
            SampleSize = verify.SampleSize > 0 ? verify.SampleSize : 20,
            Questions = questions,
        }, cancellationToken).ConfigureAwait(false);
        if (report.Questions is null && mode != TransferMode.Vectors)
        {
            // Both sides are stores and there were no questions: said, not skipped in silence (under `dotnet run` the
            // default path resolves against src/RagFood.Server, where there is no data/eval).
            var why = File.Exists(verify.QuestionsPath) ? $"the questions file '{verify.QuestionsPath}' holds no questions" : $"no questions file at '{verify.QuestionsPath}'";
            report = report with
            {
                Questions = new QuestionComparison(0, null, $"question overlap not measured: {why} (set Migration:QuestionsPath, or questions_path in the request)"),
            };
        }

        var path = verify.ReportPath.Length > 0
            ? verify.ReportPath
            : Path.Combine(endpoints.ResolveConfigured(options.Value.Directory), "reports", $"verify-{report.VerifiedAt.UtcDateTime:yyyyMMddTHHmmssfffZ}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report.ToJson(), cancellationToken).ConfigureAwait(false);
        return (report, path);
    }

    public VerifyAfter Verification(bool skip, string reportPath, string questionsPath, int sampleSize)
    {
        if (sampleSize < 0 || sampleSize > 1000)
        {
            throw new TransferInputException($"sample_size must be between 0 (default 20) and 1000, was {sampleSize}.");
        }

        // Paths the caller named are checked here, before anything runs; the configured questions file is the operator's.
        return new VerifyAfter(
            !skip,
            reportPath.Length > 0 ? endpoints.ResolveRequested(reportPath, "report_path") : "",
            questionsPath.Length > 0 ? endpoints.ResolveRequested(questionsPath, "questions_path") : endpoints.ResolveConfigured(options.Value.QuestionsPath),
            sampleSize);
    }

    public static int BatchSize(int requested) => requested switch
    {
        0 => 100,
        < 0 => throw new TransferInputException($"batch_size must be positive, was {requested}."),
        _ => requested,
    };

    private async Task<IReadOnlyList<string>> LoadQuestionsAsync(string path, CancellationToken cancellationToken)
    {
        var full = path;
        if (!File.Exists(full))
        {
            return [];
        }

        try
        {
            await using var stream = File.OpenRead(full);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.EnumerateArray()
                .Select(q => q.ValueKind == JsonValueKind.String ? q.GetString() : q.TryGetProperty("question", out var text) ? text.GetString() : null)
                .OfType<string>()
                .ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new TransferInputException($"The questions file '{full}' is not a JSON array of questions: {ex.Message}", ex);
        }
    }
}
