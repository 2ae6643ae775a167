using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Evaluation;

/// <summary>A question of the evaluation set; <see cref="ExpectedIds"/> is empty for off-topic questions, whose
/// <see cref="Kind"/> says whether they are about food at all ("general" or "food-adjacent").</summary>
internal sealed record EvalQuestion(string Set, string Question, IReadOnlyList<string> ExpectedIds, string? FilterText, string? Kind = null)
{
    public bool IsOffTopic => ExpectedIds.Count == 0;

    public MetadataFilter? Filter => MetadataFilter.Parse(FilterText);
}

/// <summary>Reads the four files of <c>data/eval/</c>.</summary>
internal static class EvalSet
{
    public static readonly string[] Files = ["questions.json", "paraphrases.json", "filtered.json", "off-topic.json"];

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
