using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Retrieval;

public sealed class EvalDataTests
{
    [Fact]
    public async Task The_knowledge_base_loads_without_problems_and_holds_at_least_450_items_with_all_fields()
    {
        var loaded = await EvalData.LoadFoodsAsync();
        var foods = loaded.Items;

        Assert.Empty(loaded.Problems);

        Assert.True(foods.Count >= 450, $"foods.json has {foods.Count} items");
        Assert.Equal(foods.Count, foods.Select(f => f.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(foods, food =>
        {
            Assert.False(string.IsNullOrWhiteSpace(food.Id));
            Assert.False(string.IsNullOrWhiteSpace(food.Text), food.Id);
            Assert.False(string.IsNullOrWhiteSpace(food.Region), food.Id);
            Assert.False(string.IsNullOrWhiteSpace(food.Type), food.Id);
            Assert.False(string.IsNullOrWhiteSpace(food.Name), food.Id);
            Assert.StartsWith(food.Name!, food.Text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task The_knowledge_base_spans_many_regions_and_kinds_of_food()
    {
        var foods = (await EvalData.LoadFoodsAsync()).Items;

        Assert.True(foods.Select(f => f.Region).Distinct().Count() >= 40);
        foreach (var type in new[] { "Fruit", "Vegetable", "Dish", "Dessert", "Drink", "Soup", "Spice", "Bread" })
        {
            Assert.Contains(foods, food => food.Type == type);
        }
    }

    [Fact]
    public async Task Every_eval_question_names_ids_that_exist_in_the_knowledge_base()
    {
        var ids = (await EvalData.LoadFoodsAsync()).Items.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var questions = EvalData.LoadQuestions();

        Assert.True(questions.Count >= 40, $"questions.json has {questions.Count} questions");
        Assert.All(questions, question =>
        {
            Assert.False(string.IsNullOrWhiteSpace(question.Question));
            Assert.NotEmpty(question.ExpectedIds);
            Assert.All(question.ExpectedIds, id => Assert.Contains(id, ids));
        });
    }

    [Fact]
    public async Task The_whole_eval_set_has_at_least_200_questions_with_known_ids_valid_filters_and_off_topic_ones()
    {
        var foods = (await EvalData.LoadFoodsAsync()).Items.ToDictionary(f => f.Id, StringComparer.Ordinal);
        var total = 0;
        foreach (var file in new[] { "questions.json", "paraphrases.json", "filtered.json", "heldout-paraphrases.json", "heldout-filtered.json" })
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EvalData.RepoRoot, "data", "eval", file)));
            foreach (var item in document.RootElement.EnumerateArray())
            {
                total++;
                var ids = item.GetProperty("expected_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
                Assert.NotEmpty(ids);
                Assert.All(ids, id => Assert.True(foods.ContainsKey(id), $"{file}: unknown id {id}"));
                if (item.TryGetProperty("filter", out var filterText))
                {
                    // Every expected answer must pass the question's own filter, or the question could never be answered.
                    var filter = MetadataFilter.Parse(filterText.GetString())!;
                    Assert.All(ids, id => Assert.True(filter.Matches(foods[id].ToMetadata()), $"{id} fails '{filterText.GetString()}'"));
                }
            }
        }

        var offTopicCount = 0;
        foreach (var file in new[] { "off-topic.json", "heldout-off-topic.json" })
        {
            using var offTopic = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EvalData.RepoRoot, "data", "eval", file)));
            offTopicCount += offTopic.RootElement.GetArrayLength();
            Assert.All(offTopic.RootElement.EnumerateArray(), q =>
            {
                Assert.False(q.TryGetProperty("expected_ids", out _), file);
                Assert.Contains(q.GetProperty("kind").GetString(), new[] { "general", "food-adjacent" });
            });
        }

        Assert.True(offTopicCount >= 40, $"{offTopicCount} off-topic questions");
        Assert.True(total + offTopicCount >= 200, $"{total + offTopicCount} questions");
    }

    [Fact]
    public void No_blind_held_out_question_repeats_a_development_question()
    {
        static IEnumerable<string> Questions(params string[] files) => files.SelectMany(file =>
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(EvalData.RepoRoot, "data", "eval", file)));
            // A short filtered question may recur with another filter ("bean stew" in Spain and in Brazil): a question is
            // its text and its filter.
            return document.RootElement.EnumerateArray().Select(q =>
                q.GetProperty("question").GetString()!.Trim().ToUpperInvariant() + " | " + (q.TryGetProperty("filter", out var f) ? f.GetString() : "")).ToList();
        });

        var development = Questions("questions.json", "paraphrases.json", "filtered.json", "off-topic.json").ToHashSet(StringComparer.Ordinal);
        var blind = Questions("heldout-paraphrases.json", "heldout-filtered.json", "heldout-off-topic.json").ToList();

        Assert.Equal(250, blind.Count);
        Assert.DoesNotContain(blind, development.Contains);
        Assert.Equal(blind.Count, blind.Distinct(StringComparer.Ordinal).Count());
    }
}
