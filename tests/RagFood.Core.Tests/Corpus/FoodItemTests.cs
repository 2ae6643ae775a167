using System.Text.Json;
using RagFood.Core.Corpus;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Tests.Corpus;

public sealed class FoodItemTests
{
    private static FoodItem Load(string json) => FoodCorpusLoader.Map([JsonDocument.Parse(json).RootElement]).Items.Single();

    [Fact]
    public void Content_hash_is_lower_case_sha256_hex()
    {
        var hash = new FoodItem("x", "Tea.", null, null).ContentHash;

        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Content_hash_is_stable_across_loads_and_field_order()
    {
        var a = Load("""{"id": "x", "text": "Tea.", "region": "China", "tags": ["hot"], "n": {"b": 1, "a": 2}}""");
        var b = Load("""{"n": {"a": 2, "b": 1}, "tags": ["hot"], "region": "China", "text": "Tea.", "id": "x"}""");

        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.Equal(a.ContentHash, a.ContentHash);
    }

    [Fact]
    public void Content_hash_does_not_depend_on_the_id()
    {
        Assert.Equal(Load("""{"id": "x", "text": "Tea."}""").ContentHash, Load("""{"id": "y", "text": "Tea."}""").ContentHash);
    }

    [Theory]
    [InlineData("""{"id": "x", "text": "Tea!", "region": "China", "tags": ["hot"]}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "region": "Japan", "tags": ["hot"]}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "region": "China", "type": "Drink", "tags": ["hot"]}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "region": "China", "tags": ["cold"]}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "region": "China", "tags": ["hot"], "name": "Tea"}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "region": "China"}""")]
    [InlineData("""{"id": "x", "text": "Tea.", "origin": "China", "tags": ["hot"], "extra": null}""")]
    public void Any_change_to_text_or_metadata_changes_the_content_hash(string changed)
    {
        var original = Load("""{"id": "x", "text": "Tea.", "region": "China", "tags": ["hot"]}""");

        Assert.NotEqual(original.ContentHash, Load(changed).ContentHash);
    }

    [Fact]
    public void Content_hash_of_a_stored_record_matches_the_item_it_came_from()
    {
        var item = Load("""{"id": "x", "text": "Tea.", "region": "China", "n": {"b": 1, "a": 2}}""");
        var storedMetadata = JsonDocument.Parse("""{"n": {"a": 2, "b": 1}, "region": "China"}""").RootElement;

        Assert.Equal(item.ContentHash, RecordContentHash.Compute(item.EnrichedText, storedMetadata));
    }

    [Fact]
    public void Null_metadata_and_an_empty_object_hash_alike()
    {
        var empty = JsonDocument.Parse("{}").RootElement;

        Assert.Equal(RecordContentHash.Compute("t", null), RecordContentHash.Compute("t", empty));
        Assert.NotEqual(RecordContentHash.Compute("t", null), RecordContentHash.Compute("u", null));
    }

    [Fact]
    public void Non_ascii_text_is_kept_readable_in_metadata()
    {
        var item = new FoodItem("x", "Crème brûlée is a baked custard.", "Île-de-France", null) { Name = "Crème brûlée" };

        Assert.Equal("""{"region":"Île-de-France","name":"Crème brûlée"}""", item.ToMetadata().GetRawText());
    }

    [Fact]
    public void An_extra_field_that_collides_with_a_mapped_key_does_not_duplicate_it()
    {
        var item = new FoodItem("x", "Tea.", "China", null)
        {
            Extra = new Dictionary<string, JsonElement>
            {
                ["region"] = JsonDocument.Parse("\"Elsewhere\"").RootElement,
                ["text"] = JsonDocument.Parse("\"Another description\"").RootElement,
            },
        };

        Assert.Equal("""{"region":"China"}""", item.ToMetadata().GetRawText());
    }

    [Fact]
    public void Metadata_does_not_repeat_the_description_which_the_record_text_already_carries()
    {
        var item = new FoodItem("x", "Pho is a noodle soup.", "Vietnam", "Soup");

        Assert.False(item.ToMetadata().TryGetProperty(FoodItem.TextKey, out _));
        Assert.StartsWith(item.Text, item.EnrichedText, StringComparison.Ordinal);
    }
}
