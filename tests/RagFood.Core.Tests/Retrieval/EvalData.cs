using System.Text.Json;
using RagFood.Core.Corpus;

namespace RagFood.Core.Tests.Retrieval;

/// <summary>Reads data/foods.json and data/eval/questions.json from the repository the tests run in.</summary>
internal static class EvalData
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public static string RepoRoot => Root.Value;

    public static string FoodsPath => Path.Combine(RepoRoot, "data", "foods.json");

    public static string QuestionsPath => Path.Combine(RepoRoot, "data", "eval", "questions.json");

    /// <summary>Loads the knowledge base through the production loader, so the test embeds exactly what ingestion embeds.</summary>
    public static Task<CorpusLoadResult> LoadFoodsAsync() => FoodCorpusLoader.LoadFileAsync(FoodsPath);

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

internal sealed record EvalQuestion(string Question, IReadOnlyList<string> ExpectedIds);
