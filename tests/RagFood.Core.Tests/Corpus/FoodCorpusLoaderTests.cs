using System.Text;
using System.Text.Json;
using RagFood.Core.Corpus;

namespace RagFood.Core.Tests.Corpus;

public sealed class FoodCorpusLoaderTests
{
    private static async Task<CorpusLoadResult> LoadAsync(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return await LoadAsync(stream);
    }

    private static Task<CorpusLoadResult> LoadAsync(Stream stream) => FoodCorpusLoader.LoadAsync(stream, CancellationToken.None);

    [Fact]
    public async Task Both_schemas_load_side_by_side_in_one_file()
    {
        var result = await LoadAsync("""
            [
              {"id": "1", "text": "Biryani is a spiced rice dish.", "region": "India", "type": "Main Course"},
              {"id": "sushi", "name": "Sushi", "description": "Vinegared rice with raw fish.", "origin": "Japan",
               "category": "Dish", "ingredients": ["rice", "fish", "nori"], "calories": 350}
            ]
            """);

        Assert.Empty(result.Problems);
        Assert.Equal(2, result.Items.Count);

        var biryani = result.Items[0];
        Assert.Equal(("1", "Biryani is a spiced rice dish.", "India", "Main Course"), (biryani.Id, biryani.Text, biryani.Region, biryani.Type));
        Assert.Null(biryani.Name);
        Assert.Empty(biryani.Extra);

        var sushi = result.Items[1];
        Assert.Equal(("sushi", "Vinegared rice with raw fish.", "Japan", "Dish"), (sushi.Id, sushi.Text, sushi.Region, sushi.Type));
        Assert.Equal("Sushi", sushi.Name);
        Assert.Equal(["ingredients", "calories"], sushi.Extra.Keys);
        Assert.Equal(["rice", "fish", "nori"], sushi.Extra["ingredients"].EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(350, sushi.Extra["calories"].GetInt32());
    }

    [Fact]
    public async Task Enriched_text_is_built_exactly_as_the_original_app()
    {
        var result = await LoadAsync("""
            [
              {"id": "a", "text": "Tea.", "region": "China", "type": "Drink"},
              {"id": "b", "text": "Tea.", "region": "China"},
              {"id": "c", "text": "Tea.", "type": "Drink"},
              {"id": "d", "text": "Tea."}
            ]
            """);

        Assert.Equal(
            [
                "Tea. This food is popular in China. It is a type of Drink.",
                "Tea. This food is popular in China.",
                "Tea. It is a type of Drink.",
                "Tea.",
            ],
            result.Items.Select(i => i.EnrichedText));
    }

    [Fact]
    public void Enrich_is_the_same_rule_as_enriched_text()
    {
        var item = new FoodItem("x", "Mango lassi", "India", "Drink");

        Assert.Equal(FoodItem.Enrich("Mango lassi", "India", "Drink"), item.EnrichedText);
        Assert.Equal("Mango lassi This food is popular in India. It is a type of Drink.", item.EnrichedText);
    }

    [Fact]
    public async Task Metadata_holds_region_type_name_and_extra_fields()
    {
        var result = await LoadAsync("""
            [{"id": 7, "name": "Pho", "description": "Beef noodle soup.", "origin": "Vietnam", "category": "Soup",
              "ingredients": ["rice noodles", "beef"], "spicy": false, "nutrition": {"kcal": 420}}]
            """);

        var metadata = result.Items.Single().ToMetadata();

        Assert.Equal(JsonValueKind.Object, metadata.ValueKind);
        Assert.Equal(
            """{"region":"Vietnam","type":"Soup","name":"Pho","ingredients":["rice noodles","beef"],"spicy":false,"nutrition":{"kcal":420}}""",
            metadata.GetRawText());
    }

    [Fact]
    public async Task Metadata_leaves_out_absent_fields()
    {
        var result = await LoadAsync("""[{"id": "x", "text": "Plain rice."}]""");

        Assert.Equal("{}", result.Items.Single().ToMetadata().GetRawText());
    }

    [Fact]
    public async Task Metadata_outlives_the_source_document()
    {
        var json = """[{"id": "x", "text": "Dal.", "tags": ["lentil"]}]""";
        using var document = JsonDocument.Parse(json);
        var item = FoodCorpusLoader.Map(document.RootElement.EnumerateArray().ToList()).Items.Single();
        document.Dispose();

        Assert.Equal("lentil", item.Extra["tags"][0].GetString());
        Assert.Equal("""{"tags":["lentil"]}""", item.ToMetadata().GetRawText());
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("0", "0")]
    [InlineData("-3", "-3")]
    [InlineData("12.5", "12.5")]
    [InlineData("\"0012\"", "0012")]
    public async Task Numeric_ids_become_strings(string idJson, string expected)
    {
        var result = await LoadAsync($$"""[{"id": {{idJson}}, "text": "x"}]""");

        Assert.Equal(expected, result.Items.Single().Id);
    }

    [Fact]
    public async Task A_name_alone_serves_as_the_text()
    {
        var result = await LoadAsync("""[{"id": "k", "name": "Kimchi", "origin": "Korea"}]""");

        var item = result.Items.Single();
        Assert.Equal("Kimchi", item.Text);
        Assert.Equal("Kimchi", item.Name);
        Assert.Equal("Kimchi This food is popular in Korea.", item.EnrichedText);
    }

    [Fact]
    public async Task Canonical_fields_win_over_aliases_and_the_losing_alias_is_kept_as_extra()
    {
        var result = await LoadAsync("""
            [{"id": "x", "description": "From description.", "text": "From text.", "origin": "Peru", "region": "Andes",
              "category": "Tuber", "type": "Vegetable"}]
            """);

        var item = result.Items.Single();
        Assert.Equal(("From text.", "Andes", "Vegetable"), (item.Text, item.Region, item.Type));
        Assert.Equal("From description.", item.Extra["description"].GetString());
        Assert.Equal("Peru", item.Extra["origin"].GetString());
        Assert.Equal("Tuber", item.Extra["category"].GetString());
    }

    [Fact]
    public async Task Keys_are_matched_ignoring_case_with_the_lower_case_spelling_preferred()
    {
        var result = await LoadAsync("""
            [{"ID": "a", "Description": "Flatbread.", "Origin": "Mexico", "Category": "Bread", "Name": "Tortilla"},
             {"id": "b", "Text": "Other.", "text": "Chosen."}]
            """);

        Assert.Empty(result.Problems);
        var tortilla = result.Items[0];
        Assert.Equal(("a", "Flatbread.", "Mexico", "Bread", "Tortilla"), (tortilla.Id, tortilla.Text, tortilla.Region, tortilla.Type, tortilla.Name));
        Assert.Empty(tortilla.Extra);

        var other = result.Items[1];
        Assert.Equal("Chosen.", other.Text);
        Assert.Equal("Other.", other.Extra["Text"].GetString());
    }

    [Fact]
    public async Task Empty_or_null_aliases_fall_through_to_the_next_one()
    {
        var result = await LoadAsync("""[{"id": "x", "text": "  ", "description": "Used.", "region": null, "origin": "Spain", "type": ""}]""");

        var item = result.Items.Single();
        Assert.Equal("Used.", item.Text);
        Assert.Equal("Spain", item.Region);
        Assert.Null(item.Type);
        Assert.Equal("Used. This food is popular in Spain.", item.EnrichedText);
    }

    [Fact]
    public async Task Text_and_labels_are_trimmed_and_scalars_become_text()
    {
        var result = await LoadAsync("""[{"id": "x", "text": "  Gelato.\n", "region": " Italy ", "type": 3}]""");

        var item = result.Items.Single();
        Assert.Equal(("Gelato.", "Italy", "3"), (item.Text, item.Region, item.Type));
    }

    [Fact]
    public async Task Unusable_items_are_reported_with_index_id_and_reason_and_the_rest_load()
    {
        var longText = new string('x', FoodCorpusLoader.MaxTextLength + 1);
        var longId = new string('i', FoodCorpusLoader.MaxIdLength + 1);
        var json = $$"""
            [
              {"id": "ok1", "text": "Fine."},
              "just a string",
              {"text": "No id."},
              {"id": "", "text": "Empty id."},
              {"id": "   ", "text": "Blank id."},
              {"id": null, "text": "Null id."},
              {"id": true, "text": "Boolean id."},
              {"id": ["a"], "text": "Array id."},
              {"id": "notext", "region": "Nowhere"},
              {"id": "longtext", "text": "{{longText}}"},
              {"id": "{{longId}}", "text": "Long id."},
              {"id": "ok2", "text": "Also fine."},
              [1, 2],
              null,
              {"id": "nulltext", "text": null, "name": null}
            ]
            """;

        var result = await LoadAsync(json);

        Assert.Equal(["ok1", "ok2"], result.Items.Select(i => i.Id));
        Assert.Collection(
            result.Problems,
            p => AssertProblem(p, 1, null, "is a JSON string, not an object"),
            p => AssertProblem(p, 2, null, "has no 'id'"),
            p => AssertProblem(p, 3, null, "'id' is empty"),
            p => AssertProblem(p, 4, null, "'id' is empty"),
            p => AssertProblem(p, 5, null, "'id' is null"),
            p => AssertProblem(p, 6, null, "'id' is a JSON boolean; it must be a string or a number"),
            p => AssertProblem(p, 7, null, "'id' is a JSON array"),
            p => AssertProblem(p, 8, "notext", "has no text"),
            p => AssertProblem(p, 9, "longtext", $"is {FoodCorpusLoader.MaxTextLength + 1} characters long; the limit is {FoodCorpusLoader.MaxTextLength}"),
            p => AssertProblem(p, 10, longId, $"the id is {FoodCorpusLoader.MaxIdLength + 1} characters long"),
            p => AssertProblem(p, 12, null, "is a JSON array, not an object"),
            p => AssertProblem(p, 13, null, "is a JSON null"),
            p => AssertProblem(p, 14, "nulltext", "has no text"));
    }

    [Fact]
    public async Task Limits_are_inclusive()
    {
        var text = new string('x', FoodCorpusLoader.MaxTextLength);
        var id = new string('i', FoodCorpusLoader.MaxIdLength);

        var result = await LoadAsync($$"""[{"id": "{{id}}", "text": "{{text}}"}]""");

        Assert.Empty(result.Problems);
        Assert.Single(result.Items);
    }

    [Fact]
    public async Task Duplicate_ids_are_reported_not_merged_and_the_first_occurrence_is_kept()
    {
        var result = await LoadAsync("""
            [
              {"id": "a", "text": "First a."},
              {"id": "b", "text": "Only b."},
              {"id": "a", "text": "Second a."},
              {"id": 5, "text": "Number five."},
              {"id": "5", "text": "String five."},
              {"id": "a", "description": "Third a."},
              {"id": "A", "text": "Upper-case A is another id."}
            ]
            """);

        Assert.Equal(["a", "b", "5", "A"], result.Items.Select(i => i.Id));
        Assert.Equal("First a.", result.Items[0].Text);
        Assert.Equal("Number five.", result.Items[2].Text);
        Assert.Collection(
            result.Problems,
            p => AssertProblem(p, 2, "a", "duplicate id 'a': first seen at index 0"),
            p => AssertProblem(p, 4, "5", "duplicate id '5': first seen at index 3"),
            p => AssertProblem(p, 5, "a", "duplicate id 'a': first seen at index 0"));
    }

    [Fact]
    public async Task An_id_is_taken_even_when_its_first_item_was_unusable()
    {
        var result = await LoadAsync("""[{"id": "a"}, {"id": "a", "text": "Later."}]""");

        Assert.Empty(result.Items);
        Assert.Equal([0, 1], result.Problems.Select(p => p.Index));
        Assert.Contains("duplicate", result.Problems[1].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id": "a", "text": "x"}""", "object")]
    [InlineData("\"foods\"", "string")]
    [InlineData("42", "number")]
    [InlineData("null", "null")]
    public async Task A_document_that_is_not_an_array_is_a_json_error_that_says_so(string json, string kind)
    {
        var error = await Assert.ThrowsAsync<JsonException>(() => LoadAsync(json));

        Assert.Contains("must be a JSON array", error.Message, StringComparison.Ordinal);
        Assert.Contains($"this document is a JSON {kind}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_json_error()
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => LoadAsync("""[{"id": "a", "text": "x"""));
    }

    [Fact]
    public async Task Comments_and_trailing_commas_are_tolerated()
    {
        var result = await LoadAsync("""
            [
              // the first food
              {"id": "a", "text": "x",},
            ]
            """);

        Assert.Single(result.Items);
    }

    [Fact]
    public async Task An_empty_array_loads_nothing_without_problems()
    {
        var result = await LoadAsync("[]");

        Assert.Empty(result.Items);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public async Task Cancellation_is_honoured()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""[{"id": "a", "text": "x"}]"""));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FoodCorpusLoader.LoadAsync(stream, cancelled.Token));
    }

    [Fact]
    public async Task Files_load_through_the_same_mapping()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ragfood-corpus-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """[{"id": 1, "description": "Churros.", "origin": "Spain"}]""");
        try
        {
            var result = await FoodCorpusLoader.LoadFileAsync(path, CancellationToken.None);

            Assert.Equal("Churros. This food is popular in Spain.", result.Items.Single().EnrichedText);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_repository_corpus_loads_without_problems_when_present()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "RagFood.Grpc.sln")))
        {
            root = Path.GetDirectoryName(root);
        }

        Assert.NotNull(root);
        var path = Path.Combine(root, "data", "foods.json");
        if (!File.Exists(path))
        {
            return; // the data helper adds it; until then there is nothing to check
        }

        var result = await FoodCorpusLoader.LoadFileAsync(path, CancellationToken.None);

        Assert.Empty(result.Problems);
        Assert.NotEmpty(result.Items);
        Assert.All(result.Items, item => Assert.False(string.IsNullOrWhiteSpace(item.Text)));
    }

    private static void AssertProblem(CorpusProblem problem, int index, string? id, string reasonPart)
    {
        Assert.Equal(index, problem.Index);
        Assert.Equal(id, problem.Id);
        Assert.Contains(reasonPart, problem.Reason, StringComparison.Ordinal);
    }
}
