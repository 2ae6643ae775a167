using System.Linq.Expressions;
using RagFood.Core.Filtering;
using RagFood.VectorData.Internal;

namespace RagFood.VectorData.Tests;

/// <summary>Each LINQ construct the adapter supports becomes the expected filter; each one it cannot express is refused
/// with a message naming the construct.</summary>
public sealed class LinqFilterTranslatorTests
{
    private static readonly string[] AsianRegions = ["Japan", "India"];

    private static string? Translate(Expression<Func<Food, bool>> filter)
    {
        var model = new RagFoodModelBuilder().Build(typeof(Food), typeof(string), null, null);
        return new LinqFilterTranslator(new RecordMapper(model, null)).Translate(filter, model)?.Text;
    }

    private static void AssertTranslates(string expected, Expression<Func<Food, bool>> filter) =>
        Assert.Equal(MetadataFilter.Parse(expected)!.Text, Translate(filter));

    private static void AssertRefused(string construct, Expression<Func<Food, bool>> filter)
    {
        var error = Assert.Throws<NotSupportedException>(() => Translate(filter));
        Assert.Contains(construct, error.Message);
    }

    [Fact]
    public void Equality_and_inequality_on_strings() =>
        AssertTranslates("region = 'Japan' AND type != 'Drink'", r => r.Region == "Japan" && r.Type != "Drink");

    [Fact]
    public void Comparisons_on_numbers_in_both_orders() =>
        AssertTranslates("price < 10 AND price >= 2 AND price > 1 AND price <= 9", r => r.Price < 10 && 2 <= r.Price && r.Price > 1 && 9 >= r.Price);

    [Fact]
    public void Or_binds_as_written() =>
        AssertTranslates("region = 'Japan' OR (region = 'India' AND price = 4)", r => r.Region == "Japan" || (r.Region == "India" && r.Price == 4));

    [Fact]
    public void A_bare_boolean_property_and_its_negation() =>
        AssertTranslates("vegan = true AND vegan = false", r => r.Vegan && !r.Vegan);

    [Fact]
    public void Comparison_with_a_boolean_constant() => AssertTranslates("vegan = false", r => r.Vegan == false);

    [Fact]
    public void Not_is_pushed_to_the_leaves()
    {
        AssertTranslates("region != 'Japan'", r => !(r.Region == "Japan"));
        AssertTranslates("price >= 5", r => !(r.Price < 5));
        AssertTranslates("region != 'Japan' OR price <= 5", r => !(r.Region == "Japan" && r.Price > 5));
        AssertTranslates("region != 'Japan' AND region != 'India'", r => !(r.Region == "Japan" || r.Region == "India"));
    }

    [Fact]
    public void Contains_on_a_constant_array_is_in() =>
        AssertTranslates("region IN ('Japan', 'India')", r => new[] { "Japan", "India" }.Contains(r.Region));

    [Fact]
    public void Contains_on_a_captured_list_is_in_and_negated_is_not_in()
    {
        var regions = new List<string> { "Mexico", "Peru" };
        AssertTranslates("region IN ('Mexico', 'Peru')", r => regions.Contains(r.Region!));
        AssertTranslates("region NOT IN ('Japan', 'India')", r => !AsianRegions.Contains(r.Region));
    }

    [Fact]
    public void Contains_on_a_list_property_is_contains() =>
        AssertTranslates("tags CONTAINS 'vegan' AND tags NOT CONTAINS 'fish'", r => r.Tags!.Contains("vegan") && !r.Tags!.Contains("fish"));

    [Fact]
    public void Null_checks_are_field_existence() =>
        AssertTranslates("HAS NOT FIELD region OR HAS FIELD type", r => r.Region == null || r.Type != null);

    [Fact]
    public void String_prefix_suffix_and_substring_are_globs_with_metacharacters_quoted()
    {
        AssertTranslates("region GLOB 'Ja*'", r => r.Region!.StartsWith("Ja"));
        AssertTranslates("region GLOB '*pan'", r => r.Region!.EndsWith("pan"));
        AssertTranslates("region NOT GLOB '*a[*]b[?]*'", r => !r.Region!.Contains("a*b?"));
    }

    [Fact]
    public void Captured_variables_and_member_accesses_are_evaluated()
    {
        var wanted = new Food { Region = "Japan", Price = 7 };
        var limit = 3;
        AssertTranslates("region = 'Japan' AND price < 10", r => r.Region == wanted.Region && r.Price < wanted.Price + limit);
    }

    [Fact]
    public void A_captured_true_folds_away_and_true_alone_is_no_filter()
    {
        var always = true;
        AssertTranslates("region = 'Japan'", r => r.Region == "Japan" && always);
        Assert.Null(Translate(r => true));
    }

    [Fact]
    public void Method_calls_other_than_the_supported_ones_are_refused() =>
        AssertRefused("the method call String.Trim", r => r.Region!.Trim() == "Japan");

    [Fact]
    public void String_methods_with_a_comparison_argument_are_refused() =>
        AssertRefused("String.StartsWith", r => r.Region!.StartsWith("ja", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Arithmetic_on_a_field_is_refused() => AssertRefused("arithmetic on a field", r => r.Price + 1 > 5);

    [Fact]
    public void Comparing_two_fields_is_refused() => AssertRefused("comparing two fields", r => r.Region == r.Type);

    [Fact]
    public void Ordering_on_strings_is_refused() =>
        AssertRefused("the method call String.CompareOrdinal", r => string.CompareOrdinal(r.Region, "J") > 0);

    [Fact]
    public void The_key_the_text_and_the_vector_are_not_metadata()
    {
        AssertRefused("the key ('Id')", r => r.Id == "sushi");
        AssertRefused("the text property ('Text')", r => r.Text == "x");
        AssertRefused("a vector property ('Embedding')", r => r.Embedding == null);
    }

    [Fact]
    public void An_always_false_filter_and_an_empty_in_list_are_refused()
    {
        AssertRefused("always false", r => false);
        var none = Array.Empty<string>();
        AssertRefused("an empty list", r => none.Contains(r.Region));
    }

    [Fact]
    public void Conditionals_are_refused() => AssertRefused("'Conditional'", r => (r.Vegan ? r.Price : 0) > 1);

    [Fact]
    public void Values_other_than_strings_numbers_and_booleans_are_refused()
    {
        var when = DateTime.UnixEpoch;
        AssertRefused("a value of type 'DateTime'", r => r.Region == when.ToString("O") && (object?)r.Type == (object)when);
    }
}
