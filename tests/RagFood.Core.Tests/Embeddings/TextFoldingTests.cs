using RagFood.Core.Embeddings;

namespace RagFood.Core.Tests.Embeddings;

public sealed class TextFoldingTests
{
    [Theory]
    [InlineData("chickpeas", "chickpea")]
    [InlineData("chickpea", "chickpea")]
    [InlineData("berries", "berri")]
    [InlineData("berry", "berri")]
    [InlineData("tomatoes", "tomato")]
    [InlineData("potatoes", "potato")]
    [InlineData("dishes", "dish")]
    [InlineData("peaches", "peach")]
    [InlineData("glasses", "glass")]
    [InlineData("quiches", "quich")]
    [InlineData("quiche", "quich")]
    [InlineData("cookies", "cooki")]
    [InlineData("cookie", "cooki")]
    [InlineData("leaves", "leaf")]
    [InlineData("loaves", "loaf")]
    [InlineData("fried", "fri")]
    [InlineData("fries", "fri")]
    [InlineData("fry", "fri")]
    [InlineData("pies", "pie")]
    [InlineData("pie", "pie")]
    [InlineData("hummus", "hummus")]
    [InlineData("couscous", "couscous")]
    [InlineData("asparagus", "asparagus")]
    [InlineData("peas", "pea")]
    [InlineData("noodles", "noodle")]
    [InlineData("sauces", "sauce")]
    [InlineData("gas", "gas")]
    public void Stemming_maps_plural_and_singular_forms_to_one_stem(string word, string stem)
    {
        var buffer = word.ToCharArray();

        var length = TextFolding.Stem(buffer);

        Assert.Equal(stem, new string(buffer, 0, length));
    }

    [Theory]
    [InlineData('A', 'a')]
    [InlineData('z', 'z')]
    [InlineData('7', '7')]
    [InlineData('É', 'e')]
    [InlineData('ñ', 'n')]
    [InlineData('ü', 'u')]
    [InlineData('ø', 'o')]
    [InlineData('ß', 's')]
    [InlineData('ł', 'l')]
    [InlineData('ở', 'o')]
    [InlineData('Ж', 'ж')]
    public void Letters_fold_to_lower_case_without_accents(char input, char expected)
    {
        Assert.Equal(expected, TextFolding.Fold(input));
    }

    [Theory]
    [InlineData(' ')]
    [InlineData('-')]
    [InlineData(',')]
    [InlineData('(')]
    [InlineData('\u00D7')]
    public void Punctuation_and_symbols_separate_tokens(char input)
    {
        Assert.Equal(TextFolding.Separator, TextFolding.Fold(input));
    }

    [Theory]
    [InlineData('\'')]
    [InlineData('\u2019')]
    [InlineData('\u0301')]
    public void Apostrophes_and_combining_accents_are_dropped_inside_a_token(char input)
    {
        Assert.Equal(TextFolding.Skip, TextFolding.Fold(input));
    }
}
