using System.Text.Json;

namespace RagFood.Core.Tests.Retrieval;

/// <summary>Reads data/foods.json and data/eval/questions.json from the repository the tests run in.</summary>
internal static class EvalData
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public static string RepoRoot => Root.Value;

    public static string FoodsPath => Path.Combine(RepoRoot, "data", "foods.json");

    public static string QuestionsPath => Path.Combine(RepoRoot, "data", "eval", "questions.json");

    public static IReadOnlyList<RawFood> LoadFoods()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(FoodsPath));
        return document.RootElement.EnumerateArray().Select(item => new RawFood(
            Str(item, "id"), Str(item, "text"), Str(item, "region"), Str(item, "type"))).ToList();
    }

    public static IReadOnlyList<EvalQuestion> LoadQuestions()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(QuestionsPath));
        return document.RootElement.EnumerateArray().Select(item => new EvalQuestion(
            Str(item, "question"),
            item.TryGetProperty("expected_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.EnumerateArray().Select(id => id.GetString() ?? "").ToList()
                : [])).ToList();
    }

    private static string Str(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFood.Grpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No RagFood.Grpc.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>One item of foods.json as written (no alias mapping: the file uses the canonical schema).</summary>
internal sealed record RawFood(string Id, string Text, string Region, string Type)
{
    /// <summary>The enrichment the corpus loader applies before embedding (ARCHITECTURE.md, Ingestion).</summary>
    public string EnrichedText => $"{Text} This food is popular in {Region}. It is a type of {Type}.";
}

internal sealed record EvalQuestion(string Question, IReadOnlyList<string> ExpectedIds);
