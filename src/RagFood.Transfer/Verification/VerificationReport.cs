using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagFood.Transfer.Verification;

/// <summary>How one namespace compares. Id lists are capped (see <see cref="StoreVerifier"/>); the counts are exact.</summary>
public sealed record NamespaceComparison(string Namespace, long ExpectedCount, long ActualCount)
{
    /// <summary>Ids the expected side has and the actual side lacks.</summary>
    public long MissingCount { get; init; }
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <summary>Ids only the actual side has.</summary>
    public long ExtraCount { get; init; }
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>Ids on both sides whose content hash (text and metadata) differs.</summary>
    public long ChangedCount { get; init; }
    public IReadOnlyList<string> Changed { get; init; } = [];

    [JsonIgnore]
    public bool Clean => ExpectedCount == ActualCount && MissingCount == 0 && ExtraCount == 0 && ChangedCount == 0;
}

/// <summary>Vectors compared on a sample (vectors mode).</summary>
/// <param name="Sampled">Records sampled.</param>
/// <param name="Equal">Sampled records whose stored vectors are equal on both sides.</param>
/// <param name="OverlapAt10">Mean overlap of the top 10 when both sides are queried with each sampled stored vector;
/// null when a side cannot be queried (a file).</param>
/// <param name="Note">Why something was not measured.</param>
public sealed record VectorComparison(int Sampled, int Equal, double? OverlapAt10, string? Note);

/// <summary>Top-3 overlap of text questions on both sides (text mode); reported, never a failure.</summary>
public sealed record QuestionComparison(int Questions, double? OverlapAt3, string? Note);

/// <summary>The result of comparing an expected side (a source, a primary) with an actual side (a target, a fallback).</summary>
public sealed record VerificationReport(string Expected, string Actual, TransferMode Mode, DateTimeOffset VerifiedAt, IReadOnlyList<NamespaceComparison> Namespaces)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public VectorComparison? Vectors { get; init; }

    public QuestionComparison? Questions { get; init; }

    /// <summary>Missing, extra and changed ids over all namespaces, plus a count difference where the ids cannot explain it.</summary>
    public long Differences => Namespaces.Sum(n => n.MissingCount + n.ExtraCount + n.ChangedCount)
        + (Vectors is { } v ? v.Sampled - v.Equal : 0);

    /// <summary>Equal counts, ids and hashes everywhere; in vectors mode also equal sampled vectors and overlap@10 = 1.</summary>
    public bool Clean => Namespaces.All(n => n.Clean)
        && (Vectors is not { } v || (v.Equal == v.Sampled && (v.OverlapAt10 is null || v.OverlapAt10 >= 1.0)));

    public string ToJson() => JsonSerializer.Serialize(new { clean = Clean, differences = Differences, report = this }, JsonOptions);
}
