using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Verification;

/// <summary>What to compare and how.</summary>
public sealed record VerifyOptions
{
    /// <summary>Vectors: also compare sampled vectors and stored-vector query overlap@10. Text: top-3 overlap on <see cref="Questions"/>.</summary>
    public TransferMode Mode { get; init; } = TransferMode.Text;

    /// <summary>One namespace, or null for the union of both sides' namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Maps an expected record to what the actual side should hold (the corpus join of a migration).</summary>
    public Func<VectorRecord, VectorRecord>? ExpectedTransform { get; init; }

    /// <summary>Records whose vectors are compared and queried with (vectors mode).</summary>
    public int SampleSize { get; init; } = 20;

    /// <summary>Questions for the text-mode overlap (e.g. data/eval/questions.json).</summary>
    public IReadOnlyList<string> Questions { get; init; } = [];

    /// <summary>Ids listed per kind of difference in the report; the counts are always exact.</summary>
    public int MaxListedIds { get; init; } = 100;

    public int PageSize { get; init; } = 500;
}

/// <summary>Every difference found, uncapped (for repair), beside the report.</summary>
internal sealed record VerificationDiff(VerificationReport Report, IReadOnlyDictionary<string, (List<string> Missing, List<string> Extra, List<string> Changed)> ByNamespace);

/// <summary>Compares two sides record by record: counts per namespace, one-sided ids, content hash per id, and
/// (by mode) vectors on a sample with stored-vector query overlap, or text-question overlap.</summary>
/// <remarks>Streams both sides; holds one id → hash map of the expected side of one namespace at a time (about
/// 200 bytes per record) plus the sampled vectors. Used by migration, by <c>Verify</c> and by <c>VerifyStores</c>.</remarks>
public sealed class StoreVerifier(ILogger<StoreVerifier>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<StoreVerifier>.Instance;

    public async Task<VerificationReport> VerifyAsync(IRecordSource expected, IRecordSource actual, VerifyOptions options, CancellationToken cancellationToken = default) =>
        (await CompareAsync(expected, actual, options, cancellationToken).ConfigureAwait(false)).Report;

    internal async Task<VerificationDiff> CompareAsync(IRecordSource expected, IRecordSource actual, VerifyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(options);
        var expectedInfo = await expected.DescribeAsync(cancellationToken).ConfigureAwait(false);
        var actualInfo = await actual.DescribeAsync(cancellationToken).ConfigureAwait(false);
        var vectors = options.Mode == TransferMode.Vectors;
        if (vectors && !expectedInfo.VectorsReadable)
        {
            throw new TransferInputException($"Cannot compare vectors: {expectedInfo.Name} cannot give them ({expectedInfo.Note ?? "not readable"}). Verify in text mode.");
        }

        IEnumerable<string> namespaces = options.Namespace is { } only
            ? [only]
            : expectedInfo.Counts.Keys.Union(actualInfo.Counts.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var comparisons = new List<NamespaceComparison>();
        var diffs = new Dictionary<string, (List<string>, List<string>, List<string>)>(StringComparer.Ordinal);
        var sample = new List<(string Namespace, string Id, float[]? Expected, float[]? Actual)>();
        foreach (var ns in namespaces)
        {
            var expectedCount = expectedInfo.Counts.GetValueOrDefault(ns);
            var stride = Math.Max(1, expectedCount / Math.Max(1, options.SampleSize));
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            var sampled = new Dictionary<string, float[]?>(StringComparer.Ordinal);
            long index = 0;
            await foreach (var page in expected.ReadAsync(ns, options.PageSize, vectors, "", cancellationToken).ConfigureAwait(false))
            {
                foreach (var raw in page.Records)
                {
                    var record = options.ExpectedTransform is { } transform ? transform(raw) : raw;
                    hashes[record.Id] = ContentHashing.Of(record);
                    if (vectors && index % stride == 0 && sample.Count + sampled.Count < options.SampleSize)
                    {
                        sampled[record.Id] = record.Vector;
                    }

                    index++;
                }
            }

            var expectedTotal = hashes.Count;
            var missing = new List<string>();
            var extra = new List<string>();
            var changed = new List<string>();
            long actualTotal = 0;
            var actualVectors = new Dictionary<string, float[]?>(StringComparer.Ordinal);
            await foreach (var page in actual.ReadAsync(ns, options.PageSize, vectors, "", cancellationToken).ConfigureAwait(false))
            {
                foreach (var record in page.Records)
                {
                    actualTotal++;
                    if (!hashes.Remove(record.Id, out var hash))
                    {
                        extra.Add(record.Id);
                        continue;
                    }

                    if (hash != ContentHashing.Of(record))
                    {
                        changed.Add(record.Id);
                    }

                    if (sampled.ContainsKey(record.Id))
                    {
                        actualVectors[record.Id] = record.Vector;
                    }
                }
            }

            missing.AddRange(hashes.Keys.Order(StringComparer.Ordinal));
            foreach (var (id, vector) in sampled)
            {
                sample.Add((ns, id, vector, actualVectors.GetValueOrDefault(id)));
            }

            diffs[ns] = (missing, extra, changed);
            comparisons.Add(new NamespaceComparison(ns, expectedTotal, actualTotal)
            {
                MissingCount = missing.Count,
                Missing = missing.Take(options.MaxListedIds).ToList(),
                ExtraCount = extra.Count,
                Extra = extra.Take(options.MaxListedIds).ToList(),
                ChangedCount = changed.Count,
                Changed = changed.Take(options.MaxListedIds).ToList(),
            });
        }

        var report = new VerificationReport(expectedInfo.Name, actualInfo.Name, vectors ? TransferMode.Vectors : TransferMode.Text, (time ?? TimeProvider.System).GetUtcNow(), comparisons)
        {
            Vectors = vectors ? await CompareVectorsAsync(expected.QueryableStore, actual.QueryableStore, sample, cancellationToken).ConfigureAwait(false) : null,
            Questions = vectors ? null : await CompareQuestionsAsync(expected.QueryableStore, actual.QueryableStore, options, cancellationToken).ConfigureAwait(false),
        };
        TransferLog.Verified(_logger, report.Expected, report.Actual, report.Differences);
        return new VerificationDiff(report, diffs);
    }

    private static async Task<VectorComparison> CompareVectorsAsync(IVectorStore? expected, IVectorStore? actual, List<(string Namespace, string Id, float[]? Expected, float[]? Actual)> sample, CancellationToken cancellationToken)
    {
        var equal = sample.Count(s => s.Expected is not null && ContentHashing.VectorsEqual(s.Expected, s.Actual, 1e-5f));
        if (expected is null || actual is null)
        {
            return new VectorComparison(sample.Count, equal, null, "query overlap not measured: one side is a file, not a queryable store");
        }

        double sum = 0;
        var queried = 0;
        foreach (var (ns, _, vector, _) in sample)
        {
            if (vector is null)
            {
                continue;
            }

            var left = await expected.QueryAsync(new VectorQuery { Vector = vector, TopK = 10, Include = Include.None, Namespace = ns }, cancellationToken).ConfigureAwait(false);
            var right = await actual.QueryAsync(new VectorQuery { Vector = vector, TopK = 10, Include = Include.None, Namespace = ns }, cancellationToken).ConfigureAwait(false);
            sum += Overlap(left, right);
            queried++;
        }

        return new VectorComparison(sample.Count, equal, queried == 0 ? null : sum / queried, queried == 0 ? "no sampled record had a vector" : null);
    }

    private static async Task<QuestionComparison?> CompareQuestionsAsync(IVectorStore? expected, IVectorStore? actual, VerifyOptions options, CancellationToken cancellationToken)
    {
        // A file side is said first, whether or not there are questions: the report then says why nothing was measured.
        if (expected is null || actual is null)
        {
            return new QuestionComparison(options.Questions.Count, null, "question overlap not measured: one side is a file, not a queryable store");
        }

        if (options.Questions.Count == 0)
        {
            return null;
        }

        double sum = 0;
        try
        {
            foreach (var question in options.Questions)
            {
                var query = new VectorQuery { Text = question, TopK = 3, Include = Include.None, Namespace = options.Namespace ?? "" };
                var left = await expected.QueryAsync(query, cancellationToken).ConfigureAwait(false);
                var right = await actual.QueryAsync(query, cancellationToken).ConfigureAwait(false);
                sum += Overlap(left, right);
            }
        }
        catch (VectorStoreException ex)
        {
            return new QuestionComparison(options.Questions.Count, null, $"question overlap not measured: {ex.Message}");
        }

        return new QuestionComparison(options.Questions.Count, sum / options.Questions.Count, null);
    }

    private static double Overlap(IReadOnlyList<ScoredRecord> left, IReadOnlyList<ScoredRecord> right)
    {
        if (left.Count == 0)
        {
            return right.Count == 0 ? 1.0 : 0.0;
        }

        var ids = right.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return (double)left.Count(l => ids.Contains(l.Id)) / left.Count;
    }
}
