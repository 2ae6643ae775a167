using System.Text.Json;
using RagFood.Server.Rag;

namespace RagFood.Server.Tests;

/// <summary>Extractive answers read as answers: the sentences that bear on the question, named by the food, without the
/// enrichment sentences, sources after.</summary>
public sealed class ExtractiveAnswerTests
{
    private static RagSource Source(string id, string text, string? name = null, float score = 0.8f) =>
        new(id, score, text, name is null ? null : JsonDocument.Parse($$"""{"name": "{{name}}", "region": "X"}""").RootElement.Clone());

    [Fact]
    public void Enrichment_sentences_are_left_out()
    {
        var sentences = ExtractiveAnswer.Sentences("Pho is a Vietnamese noodle soup. It is eaten for breakfast. This food is popular in Vietnam. It is a type of Soup.");

        Assert.Equal(["Pho is a Vietnamese noodle soup.", "It is eaten for breakfast."], sentences);
    }

    [Fact]
    public void Each_record_says_what_it_is_then_the_sentence_sharing_most_words_with_the_question_named_by_its_food()
    {
        var answer = ExtractiveAnswer.Build("Preamble:", "Which soup is eaten for breakfast in Vietnam?",
        [
            Source("pho", "Pho: A noodle soup with beef and herbs. Hanoi families eat it for breakfast on the street. Served with lime. This food is popular in Vietnam. It is a type of Soup.", "Pho"),
            Source("congee", "Congee is a rice porridge. It is often eaten for breakfast. This food is popular in China. It is a type of Dish.", "Congee", 0.7f),
        ]);

        Assert.Equal(
            "Preamble:\n" +
            "- Pho: A noodle soup with beef and herbs. Hanoi families eat it for breakfast on the street.\n" +
            "- Congee is a rice porridge. It is often eaten for breakfast.\n" +
            "\n" +
            "Sources: [1] pho (0.80), [2] congee (0.70)",
            answer);
    }

    [Fact]
    public void A_record_with_no_matching_sentence_contributes_only_its_first_sentence_and_the_id_names_it_without_a_name()
    {
        var answer = ExtractiveAnswer.Build("P", "something warming",
            [Source("dal-bhat", "Steamed rice with lentil soup. Eaten twice a day. This food is popular in Nepal.")]);

        Assert.Equal("P\n- Dal bhat: Steamed rice with lentil soup.\n\nSources: [1] dal-bhat (0.80)", answer);
    }

    [Fact]
    public void A_question_naming_the_best_match_is_answered_from_it_alone()
    {
        var answer = ExtractiveAnswer.Build("P", "What is sushi?",
        [
            Source("sushi", "Sushi: Vinegared rice with raw fish. This food is popular in Japan.", "Sushi"),
            Source("wasabi", "Wasabi is a green paste served with sushi.", "Wasabi"),
        ]);

        Assert.Equal("P\n- Sushi: Vinegared rice with raw fish.\n\nSources: [1] sushi (0.80), [2] wasabi (0.80)", answer);
    }
}
