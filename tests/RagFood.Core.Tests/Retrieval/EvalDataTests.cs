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
}
