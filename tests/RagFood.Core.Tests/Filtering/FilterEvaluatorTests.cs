using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Filtering;

public sealed class FilterEvaluatorTests
{
    private const string Biryani = """
        {
          "region": "India",
          "type": "Main Course",
          "name": "Hyderabadi Biryani",
          "spice": 4,
          "price": 12.5,
          "vegan": false,
          "halal": true,
          "nothing": null,
          "tags": ["rice", "spicy", "festive"],
          "scores": [3, 4.5, 5],
          "flags": [true, false],
          "empty": [],
          "geo": { "continent": "Asia", "country": { "name": "India", "code": "IN" }, "coords": [17.38, 78.48] },
          "steps": [ { "name": "marinate", "minutes": 60 }, { "name": "dum", "minutes": 45 } ],
          "matrix": [[1, 2], [3, 4]],
          "count": 0,
          "big": 1e300
        }
        """;

    private static readonly JsonElement Metadata = JsonDocument.Parse(Biryani).RootElement.Clone();

    private static bool Matches(string filter, JsonElement? metadata = null)
        => MetadataFilter.Parse(filter)!.Matches(metadata ?? Metadata);

    [Theory]
    [InlineData("region = 'India'", true)]
    [InlineData("region = 'india'", false)]
    [InlineData("region != 'Italy'", true)]
    [InlineData("region != 'India'", false)]
    [InlineData("spice = 4", true)]
    [InlineData("spice = 4.0", true)]
    [InlineData("spice = 4e0", true)]
    [InlineData("price = 12.5", true)]
    [InlineData("spice != 5", true)]
    [InlineData("vegan = false", true)]
    [InlineData("vegan = FALSE", true)]
    [InlineData("vegan != true", true)]
    [InlineData("halal = true", true)]
    [InlineData("halal = 1", true)]
    [InlineData("halal = 0", false)]
    [InlineData("vegan = 0", true)]
    [InlineData("vegan != 1", true)]
    [InlineData("halal = 2", false)]
    [InlineData("halal != 2", false)]
    [InlineData("count = false", false)]
    [InlineData("count != true", false)]
    public void Equality_compares_strings_numbers_and_booleans(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("spice > 3", true)]
    [InlineData("spice > 4", false)]
    [InlineData("spice >= 4", true)]
    [InlineData("spice < 4", false)]
    [InlineData("spice <= 4", true)]
    [InlineData("price < 12.51", true)]
    [InlineData("price > -1", true)]
    [InlineData("big > 1e299", true)]
    [InlineData("count >= 0", true)]
    [InlineData("region > 1", false)]
    [InlineData("vegan < 1", false)]
    [InlineData("tags > 1", false)]
    public void Ordering_compares_numbers_only(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("geo.continent = 'Asia'", true)]
    [InlineData("geo.country.code = 'IN'", true)]
    [InlineData("geo.country.name GLOB 'Ind*'", true)]
    [InlineData("geo.coords[0] > 17", true)]
    [InlineData("geo.coords[#-1] = 78.48", true)]
    [InlineData("tags[0] = 'rice'", true)]
    [InlineData("tags[2] = 'festive'", true)]
    [InlineData("tags[#-1] = 'festive'", true)]
    [InlineData("tags[#-3] = 'rice'", true)]
    [InlineData("steps[1].name = 'dum'", true)]
    [InlineData("steps[#-2].minutes >= 60", true)]
    [InlineData("matrix[1][0] = 3", true)]
    [InlineData("matrix[#-1][#-1] = 4", true)]
    public void Paths_reach_into_nested_objects_and_arrays(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("tags[3] = 'rice'")]
    [InlineData("tags[#-4] = 'rice'")]
    [InlineData("tags[3] != 'rice'")]
    [InlineData("empty[0] != 1")]
    [InlineData("empty[#-1] != 1")]
    [InlineData("region[0] != 'x'")]
    [InlineData("geo.continent.name != 'x'")]
    [InlineData("geo[0] != 'x'")]
    [InlineData("missing != 'x'")]
    [InlineData("missing.deeper != 'x'")]
    [InlineData("missing NOT IN ('x')")]
    [InlineData("missing NOT GLOB 'x'")]
    [InlineData("missing NOT CONTAINS 'x'")]
    [InlineData("missing < 1")]
    [InlineData("nothing != 'x'")]
    [InlineData("nothing NOT IN ('x', 1, true)")]
    [InlineData("HAS FIELD missing")]
    [InlineData("HAS FIELD tags[3]")]
    [InlineData("HAS FIELD geo.country.capital")]
    [InlineData("HAS NOT FIELD region")]
    [InlineData("HAS NOT FIELD nothing")]
    public void Missing_fields_fail_every_value_operator(string filter)
    {
        Assert.False(Matches(filter));
    }

    [Theory]
    [InlineData("HAS NOT FIELD missing")]
    [InlineData("HAS NOT FIELD tags[3]")]
    [InlineData("HAS NOT FIELD geo.country.capital")]
    [InlineData("HAS NOT FIELD region.name")]
    [InlineData("HAS FIELD nothing")]
    [InlineData("HAS FIELD geo.country")]
    [InlineData("HAS FIELD tags[#-3]")]
    [InlineData("HAS FIELD empty")]
    public void Has_field_tests_existence_only(string filter)
    {
        Assert.True(Matches(filter));
    }

    [Theory]
    [InlineData("region != 5")]
    [InlineData("region != true")]
    [InlineData("spice != 'four'")]
    [InlineData("spice != false")]
    [InlineData("vegan != 'no'")]
    [InlineData("region NOT IN (1, 2)")]
    [InlineData("spice NOT GLOB '4'")]
    [InlineData("region NOT CONTAINS 'x'")]
    [InlineData("geo != 'x'")]
    [InlineData("tags != 'x'")]
    [InlineData("tags NOT IN ('x')")]
    [InlineData("geo NOT GLOB '*'")]
    public void Type_mismatches_fail_even_the_negated_operators(string filter)
    {
        Assert.False(Matches(filter));
    }

    [Theory]
    [InlineData("region IN ('Italy', 'India')", true)]
    [InlineData("region IN ('Italy', 'Japan')", false)]
    [InlineData("region NOT IN ('Italy', 'Japan')", true)]
    [InlineData("region NOT IN ('Italy', 'India')", false)]
    [InlineData("spice IN (1, 4.0)", true)]
    [InlineData("spice IN ('4')", false)]
    [InlineData("spice NOT IN ('4', 5)", true)]
    [InlineData("halal IN (1)", true)]
    [InlineData("vegan NOT IN (true)", true)]
    public void In_matches_any_list_value_and_not_in_none(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("tags CONTAINS 'spicy'", true)]
    [InlineData("tags CONTAINS 'Spicy'", false)]
    [InlineData("tags NOT CONTAINS 'sweet'", true)]
    [InlineData("tags NOT CONTAINS 'rice'", false)]
    [InlineData("scores CONTAINS 4.5", true)]
    [InlineData("scores CONTAINS 5.0", true)]
    [InlineData("scores CONTAINS '5'", false)]
    [InlineData("flags CONTAINS true", true)]
    [InlineData("flags CONTAINS 0", true)]
    [InlineData("empty CONTAINS 'x'", false)]
    [InlineData("empty NOT CONTAINS 'x'", true)]
    [InlineData("geo.coords CONTAINS 17.38", true)]
    [InlineData("steps CONTAINS 'dum'", false)]
    public void Contains_looks_for_an_equal_array_element(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("name GLOB 'Hyderabadi*'", true)]
    [InlineData("name GLOB '*Biryani'", true)]
    [InlineData("name GLOB '*biryani'", false)]
    [InlineData("name GLOB 'Hyderabadi'", false)]
    [InlineData("name GLOB 'H?derabadi B[a-z]ryani'", true)]
    [InlineData("name NOT GLOB '*Pizza*'", true)]
    [InlineData("name NOT GLOB '*Biryani'", false)]
    [InlineData("tags[1] GLOB 's[^aeiou]*'", true)]
    [InlineData("tags GLOB '*'", false)]
    public void Glob_matches_the_whole_string_case_sensitively(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Theory]
    [InlineData("region = 'India' AND spice > 3", true)]
    [InlineData("region = 'India' AND spice > 4", false)]
    [InlineData("region = 'Italy' OR spice > 3", true)]
    [InlineData("region = 'Italy' OR spice > 4", false)]
    [InlineData("region = 'Italy' AND spice > 4 OR vegan = false", true)]
    [InlineData("region = 'Italy' AND (spice > 4 OR vegan = false)", false)]
    [InlineData("(region = 'India' OR region = 'Italy') AND (type = 'Dessert' OR tags CONTAINS 'festive')", true)]
    [InlineData("HAS NOT FIELD missing AND NOT_A_FIELD != 1 OR geo.country.code IN ('IN', 'PK')", true)]
    public void Connectives_combine_conditions_with_and_binding_tighter(string filter, bool expected)
    {
        Assert.Equal(expected, Matches(filter));
    }

    [Fact]
    public void Records_without_metadata_match_only_absence()
    {
        Assert.False(Matches("region != 'x'", default(JsonElement)));
        Assert.False(MetadataFilter.Parse("region != 'x'")!.Matches(null));
        Assert.True(MetadataFilter.Parse("HAS NOT FIELD region")!.Matches(null));
        Assert.False(MetadataFilter.Parse("HAS FIELD region")!.Matches(null));
    }

    [Fact]
    public void Metadata_that_is_not_an_object_has_no_fields()
    {
        var array = JsonDocument.Parse("[1, 2]").RootElement;

        Assert.False(Matches("a = 1", array));
        Assert.True(Matches("HAS NOT FIELD a", array));
    }

    [Fact]
    public void Keys_are_matched_exactly_including_case_and_dashes()
    {
        var metadata = JsonDocument.Parse("""{"Region": "India", "gluten-free": true, "_id": 3}""").RootElement;

        Assert.False(Matches("region = 'India'", metadata));
        Assert.True(Matches("Region = 'India'", metadata));
        Assert.True(Matches("gluten-free = true", metadata));
        Assert.True(Matches("_id = 3", metadata));
    }

    [Fact]
    public void Strings_with_escapes_and_non_ascii_text_compare_exactly()
    {
        var metadata = JsonDocument.Parse("""{"name": "Crème brûlée", "quote": "it's \"fine\"", "path": "a\\b"}""").RootElement;

        Assert.True(Matches("name = 'Crème brûlée'", metadata));
        Assert.True(Matches("name GLOB 'Cr?me*'", metadata));
        Assert.True(Matches("quote = 'it''s \"fine\"'", metadata));
        Assert.True(Matches(@"path = 'a\\b'", metadata));
    }

    [Theory]
    [InlineData("short", "s*t", true)]
    [InlineData("short", "s*x", false)]
    [InlineData("Crème brûlée", "Cr?me brulee", false)]
    [InlineData("Crème brûlée", "Cr?me br[ûu]l?e", true)]
    [InlineData(@"tab\there", "tab?here", true)]
    [InlineData(@"quote \""inside\""", "quote \"*\"", true)]
    [InlineData(@"caf\u00e9", "caf?", true)]
    [InlineData(@"\ud83c\udf63 sushi", "?? sushi", true)]
    public void Glob_reads_escaped_and_non_ascii_strings_correctly(string jsonContent, string pattern, bool expected)
    {
        var metadata = JsonDocument.Parse($$$"""{"s": "{{{jsonContent}}}"}""").RootElement;

        Assert.Equal(expected, Matches($"s GLOB '{pattern.Replace("'", "''", StringComparison.Ordinal)}'", metadata));
    }

    [Fact]
    public void Glob_matches_strings_longer_than_the_stack_buffer()
    {
        var text = new string('é', 3000) + "end";
        var metadata = JsonDocument.Parse($$"""{"s": "{{text}}"}""").RootElement;

        Assert.True(Matches("s GLOB 'é*end'", metadata));
        Assert.False(Matches("s GLOB 'é*x'", metadata));
    }

    [Fact]
    public void Evaluation_is_safe_from_many_threads_at_once()
    {
        var filter = MetadataFilter.Parse("name GLOB '*Biryani' AND (tags CONTAINS 'spicy' OR spice > 10) AND geo.coords[#-1] > 78")!;
        var other = JsonDocument.Parse("""{"name": "Pizza", "tags": ["cheesy"], "spice": 1}""").RootElement;

        var results = new bool[64];
        Parallel.For(0, results.Length, i =>
        {
            var ok = true;
            for (var j = 0; j < 2000; j++)
            {
                ok &= filter.Matches(Metadata) && !filter.Matches(other);
            }

            results[i] = ok;
        });

        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Evaluating_allocates_nothing()
    {
        var filter = MetadataFilter.Parse(
            "(region IN ('Italy', 'India') AND spice >= 3 AND vegan != true AND name GLOB '*Biryani') OR tags CONTAINS 'festive' "
            + "OR geo.country.name = 'India' AND steps[#-1].minutes < 50 AND HAS NOT FIELD missing AND halal = 1")!;
        JsonElement? metadata = Metadata;
        Assert.True(filter.Matches(metadata)); // warm up: JIT and first-use caches

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
        {
            matched += filter.Matches(metadata) ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, matched);
        Assert.Equal(0, allocated);
    }
}
