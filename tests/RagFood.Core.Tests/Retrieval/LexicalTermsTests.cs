using RagFood.Core.Retrieval;

namespace RagFood.Core.Tests.Retrieval;

public sealed class LexicalTermsTests
{
    [Fact]
    public void Terms_are_folded_stemmed_and_free_of_stop_words()
    {
        Assert.Equal(["chickpea", "jamon", "pho", "tomato"], LexicalTerms.Of("What are the Chickpeas, jamón and phở? Tomatoes!").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Singular_and_plural_share_a_term_and_repeats_are_kept()
    {
        Assert.Equal(LexicalTerms.Of("berry berries"), ["berri", "berri"]);
    }

    [Theory]
    [InlineData("steamed steaming steam", "steam")]
    [InlineData("baked bake baking", "bak")]
    [InlineData("chopped chop", "chop")]
    [InlineData("stuffed stuffing stuff", "stuff")]
    [InlineData("grilled grill", "grill")]
    [InlineData("dumplings dumpling", "dumpl")]
    [InlineData("spiced spice spices", "spic")]
    public void Verb_endings_and_a_final_e_are_folded(string words, string term)
    {
        Assert.All(LexicalTerms.Of(words), t => Assert.Equal(term, t));
    }

    [Theory]
    [InlineData("red", "red")]
    [InlineData("string", "string")]
    [InlineData("seed", "seed")]
    [InlineData("tea", "tea")]
    public void Short_words_and_words_without_a_vowel_before_the_ending_keep_it(string word, string term)
    {
        Assert.Equal([term], LexicalTerms.Of(word));
    }
}
