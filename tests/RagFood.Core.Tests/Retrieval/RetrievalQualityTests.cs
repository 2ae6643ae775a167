using System.Globalization;
using System.Numerics.Tensors;
using RagFood.Core.Embeddings;
using Xunit.Abstractions;

namespace RagFood.Core.Tests.Retrieval;

/// <summary>
/// The built-in embedder must find the food that answers each question in data/eval/questions.json within the top 3
/// of an exact cosine search over the whole enriched corpus.
/// </summary>
public sealed class RetrievalQualityTests(ITestOutputHelper output)
{
    private const double RequiredRecallAt3 = 0.9;
    private const double RequiredNameRecallAt3 = 0.95;

    [Fact]
    public async Task The_builtin_embedder_finds_the_answer_in_the_top_3_for_at_least_90_percent_of_eval_questions()
    {
        using var embedder = new HashingEmbeddingGenerator();
        var foods = (await EvalData.LoadFoodsAsync()).Items;
        var questions = EvalData.LoadQuestions();
        var vectors = foods.Select(food => embedder.Embed(food.EnrichedText)).ToArray();

        var hitsAt1 = 0;
        var hitsAt3 = 0;
        foreach (var question in questions)
        {
            var query = embedder.Embed(question.Question);
            var top = vectors
                .Select((vector, index) => (Score: TensorPrimitives.CosineSimilarity(query, vector), Index: index))
                .OrderByDescending(hit => hit.Score)
                .Take(3)
                .ToArray();
            var topIds = top.Select(hit => foods[hit.Index].Id).ToArray();

            if (question.ExpectedIds.Contains(topIds[0]))
            {
                hitsAt1++;
            }

            if (topIds.Any(question.ExpectedIds.Contains))
            {
                hitsAt3++;
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"MISS: \"{question.Question}\" expected [{string.Join(", ", question.ExpectedIds)}], got [{string.Join(", ", top.Select(hit => $"{foods[hit.Index].Id} {hit.Score:F3}"))}]"));
            }
        }

        var recallAt1 = (double)hitsAt1 / questions.Count;
        var recallAt3 = (double)hitsAt3 / questions.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{embedder.ModelId}: {questions.Count} questions over {foods.Count} foods; recall@1 = {recallAt1:F3} ({hitsAt1}), recall@3 = {recallAt3:F3} ({hitsAt3})"));

        Assert.True(recallAt3 >= RequiredRecallAt3, string.Create(CultureInfo.InvariantCulture, $"recall@3 = {recallAt3:F3} < {RequiredRecallAt3}"));
    }

    [Fact]
    public async Task Almost_every_food_is_found_in_the_top_3_by_its_name_alone()
    {
        using var embedder = new HashingEmbeddingGenerator();
        var foods = (await EvalData.LoadFoodsAsync()).Items;
        var vectors = foods.Select(food => embedder.Embed(food.EnrichedText)).ToArray();

        var hitsAt1 = 0;
        var hitsAt3 = 0;
        for (var i = 0; i < foods.Count; i++)
        {
            var top = TopIndexes(embedder.Embed(foods[i].Name!), vectors, 3);
            hitsAt1 += top[0] == i ? 1 : 0;
            if (top.Contains(i))
            {
                hitsAt3++;
            }
            else
            {
                output.WriteLine($"MISS: \"{foods[i].Name}\" got [{string.Join(", ", top.Select(j => foods[j].Id))}]");
            }
        }

        var recallAt1 = (double)hitsAt1 / foods.Count;
        var recallAt3 = (double)hitsAt3 / foods.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{embedder.ModelId}: names of {foods.Count} foods; recall@1 = {recallAt1:F3} ({hitsAt1}), recall@3 = {recallAt3:F3} ({hitsAt3})"));

        Assert.True(recallAt3 >= RequiredNameRecallAt3, string.Create(CultureInfo.InvariantCulture, $"name recall@3 = {recallAt3:F3} < {RequiredNameRecallAt3}"));
    }

    [Theory]
    [InlineData("chickpea", "chickpeas")]
    [InlineData("CHICKPEAS", "chickpeas")]
    [InlineData("lentil", "lentils")]
    [InlineData("Blueberries", "blueberry")]
    [InlineData("tomatoes", "tomato")]
    public async Task A_single_word_in_any_case_or_number_ranks_its_own_entry_first(string query, string expectedId)
    {
        using var embedder = new HashingEmbeddingGenerator();
        var foods = (await EvalData.LoadFoodsAsync()).Items;
        var vectors = foods.Select(food => embedder.Embed(food.EnrichedText)).ToArray();

        var top = TopIndexes(embedder.Embed(query), vectors, 1);

        Assert.Equal(expectedId, foods[top[0]].Id);
    }

    private static int[] TopIndexes(float[] query, float[][] vectors, int k) =>
        vectors.Select((vector, index) => (Score: TensorPrimitives.CosineSimilarity(query, vector), Index: index))
            .OrderByDescending(hit => hit.Score)
            .Take(k)
            .Select(hit => hit.Index)
            .ToArray();
}
