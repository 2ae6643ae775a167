using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Evaluation;

/// <summary>A question of the evaluation set; <see cref="ExpectedIds"/> is empty for off-topic questions, whose
/// <see cref="Kind"/> says whether they are about food at all ("general" or "food-adjacent").</summary>
internal sealed record EvalQuestion(string Set, string Question, IReadOnlyList<string> ExpectedIds, string? FilterText, string? Kind = null)
{
    public bool IsOffTopic => ExpectedIds.Count == 0;

    /// <summary>The question belongs to the blind held-out set (files <c>heldout-*.json</c>), written after retrieval
    /// was tuned and never used to choose or tune anything; see docs/eval-heldout.md.</summary>
    public bool IsHeldOut => Set.StartsWith(EvalSet.HeldOutPrefix, StringComparison.Ordinal);

    public MetadataFilter? Filter => MetadataFilter.Parse(FilterText);
}

/// <summary>Reads the question files of <c>data/eval/</c>: the four development files, on which retrieval was tuned,
/// then the blind held-out files.</summary>
internal static class EvalSet
{
    /// <summary>File-name prefix of the blind held-out set.</summary>
    public const string HeldOutPrefix = "heldout-";

    public static readonly string[] Files =
    [
        "questions.json", "paraphrases.json", "filtered.json", "off-topic.json",
        "heldout-paraphrases.json", "heldout-filtered.json", "heldout-off-topic.json",
    ];

    public static IReadOnlyList<EvalQuestion> Load(string evalDirectory)
    {
        var questions = new List<EvalQuestion>();
        foreach (var file in Files)
        {
            var path = Path.Combine(evalDirectory, file);
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var set = Path.GetFileNameWithoutExtension(file);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var question = item.GetProperty("question").GetString() ?? "";
                var ids = item.TryGetProperty("expected_ids", out var e) ? e.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
                var filter = item.TryGetProperty("filter", out var f) ? f.GetString() : null;
                var kind = item.TryGetProperty("kind", out var k) ? k.GetString() : null;
                questions.Add(new EvalQuestion(set, question, ids, filter, kind));
            }
        }

        return questions;
    }
}
