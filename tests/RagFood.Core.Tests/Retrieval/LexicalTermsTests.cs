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
}
