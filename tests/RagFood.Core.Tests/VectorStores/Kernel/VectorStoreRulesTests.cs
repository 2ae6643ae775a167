using System.Text.Json;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Tests.VectorStores.Kernel;

/// <summary>The kernel's rules on their own; the provider conformance suite holds every store to them.</summary>
public sealed class VectorStoreRulesTests
{
    [Fact]
    public void Duplicate_ids_keep_the_last_occurrence_in_its_own_position()
    {
        var records = VectorStoreRules.Upsert(new UpsertRequest([new("a") { Text = "1" }, new("b") { Text = "2" }, new("a") { Text = "3" }]));

        Assert.Equal(["b", "a"], records.Select(r => r.Id));
        Assert.Equal("3", records[1].Text);
    }

    [Fact]
    public void An_empty_upsert_is_valid_and_has_no_records() =>
        Assert.Empty(VectorStoreRules.Upsert(new UpsertRequest([])));

    [Fact]
    public void Messages_quote_control_characters_escaped_and_long_values_shortened()
    {
        var error = Assert.Throws<ArgumentException>(() => VectorStoreRules.Id("red\u001b[31m" + new string('x', 40)));

        Assert.DoesNotContain('\u001b', error.Message);
        Assert.Contains("red\\u001b[31m", error.Message, StringComparison.Ordinal);
        Assert.Contains("…", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("team-1_ns")]
    [InlineData("")]
    [InlineData("naïve")]
    public void Ordinary_namespaces_pass(string ns) => Assert.Equal(ns, VectorStoreRules.Namespace(ns));

    [Fact]
    public void Metadata_depth_counts_arrays_as_levels()
    {
        var atLimit = JsonDocument.Parse(new string('[', VectorStoreLimits.MaxMetadataDepth - 1).Insert(0, "{\"a\":") + new string(']', VectorStoreLimits.MaxMetadataDepth - 1) + "}").RootElement;
        var overLimit = JsonDocument.Parse(new string('[', VectorStoreLimits.MaxMetadataDepth).Insert(0, "{\"a\":") + new string(']', VectorStoreLimits.MaxMetadataDepth) + "}").RootElement;

        VectorStoreRules.Metadata("m", atLimit);
        var error = Assert.Throws<ArgumentException>(() => VectorStoreRules.Metadata("m", overLimit));
        Assert.StartsWith(VectorStoreMessages.MetadataTooDeep("m"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_size_is_measured_compact_so_whitespace_does_not_count()
    {
        var value = new string('v', VectorStoreLimits.MaxMetadataBytes - 10);
        var padded = JsonDocument.Parse("{ \"k\" :   " + JsonSerializer.Serialize(value) + new string(' ', 100) + "}").RootElement;

        VectorStoreRules.Metadata("m", padded);
    }

    [Fact]
    public void A_vector_dimension_is_only_checked_once_the_store_knows_its_own()
    {
        VectorStoreRules.Dimension([1f, 2f], 0, "The query vector", "test");
        var error = Assert.Throws<ArgumentException>(() => VectorStoreRules.Dimension([1f, 2f], 3, "The query vector", "test"));
        Assert.StartsWith(VectorStoreMessages.WrongDimension("The query vector", 2, "test", 3), error.Message, StringComparison.Ordinal);
    }
}
