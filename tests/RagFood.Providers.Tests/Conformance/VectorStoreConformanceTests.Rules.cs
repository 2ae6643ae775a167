using System.Text;
using System.Text.Json;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Tests.Conformance;

/// <summary>The kernel's argument rules (<see cref="VectorStoreRules"/>), held against every store: each refusal is an
/// <see cref="ArgumentException"/> with the kernel's message, and nothing is written.</summary>
public abstract partial class VectorStoreConformanceTests
{
    public static TheoryData<string> IdsWithControlCharacters => new()
    {
        "nul\u0000id",
        "ansi\u001b[31mred",
        "crlf\r\nid",
        "bell\u0007",
        "c1\u009bcontrol",
    };

    public static TheoryData<string> UnsafeNamespaces => new()
    {
        "../../etc",
        "..",
        "a/b",
        "a\\b",
        "nul\u0000ns",
        "esc\u001b[2J",
        "line\nbreak",
    };

    /// <summary>Asserts that <paramref name="operation"/> is refused with the kernel's message and that namespace
    /// <paramref name="ns"/> still does not exist.</summary>
    private async Task AssertRefusedWithNothingWrittenAsync(Func<Task> operation, string expectedMessageStart, string? ns = null)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(operation);
        Assert.StartsWith(expectedMessageStart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ns ?? Ns, await Store.ListNamespacesAsync());
    }

    [Theory]
    [MemberData(nameof(IdsWithControlCharacters))]
    public async Task An_id_with_a_control_character_is_refused_and_nothing_is_written(string id)
    {
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food("fine", "a fine record"), Food(id, "text")]),
            VectorStoreMessages.IdControlCharacter(id));
    }

    [Theory]
    [MemberData(nameof(IdsWithControlCharacters))]
    public async Task Fetching_or_deleting_an_id_with_a_control_character_is_refused(string id)
    {
        await SeedFoodsAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FetchAsync(new FetchRequest { Ids = ["dal", id], Namespace = Ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(new DeleteRequest { Ids = ["dal", id], Namespace = Ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(new DeleteRequest { Prefix = id, Namespace = Ns }));
        Assert.NotNull((await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = Ns }))[0]);
    }

    [Fact]
    public async Task An_id_over_the_length_limit_is_refused_and_one_at_the_limit_is_stored()
    {
        var longest = new string('x', VectorStoreLimits.MaxIdLength);
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food(longest + "x", "too long an id")]),
            VectorStoreMessages.IdTooLong(VectorStoreLimits.MaxIdLength + 1));

        await UpsertAsync([Food(longest, "an id exactly at the limit")]);
        Assert.NotNull((await Store.FetchAsync(new FetchRequest { Ids = [longest], Namespace = Ns }))[0]);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\t\r\n ")]
    [InlineData("")]
    public async Task A_record_whose_text_is_only_whitespace_and_has_no_vector_is_refused(string text)
    {
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food("blank", text)]), VectorStoreMessages.NothingToEmbed("blank"));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\n\t")]
    public async Task A_query_whose_text_is_only_whitespace_is_refused(string text)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(new VectorQuery { Text = text, TopK = 3, Namespace = Ns }));
        Assert.StartsWith(VectorStoreMessages.QueryTextEmpty, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnsafeNamespaces))]
    public async Task A_namespace_with_a_path_separator_dots_or_a_control_character_is_refused_by_every_operation(string ns)
    {
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food("dal", "Dal is a lentil stew")], ns), "", ns);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(new VectorQuery { Text = "stew", TopK = 3, Namespace = ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(new DeleteRequest { Ids = ["dal"], Namespace = ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.RangeAsync(new RangeRequest { Namespace = ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ResetAsync(ns));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteNamespaceAsync(ns));
        Assert.DoesNotContain(ns, await Store.ListNamespacesAsync());
    }

    [Fact]
    public async Task A_namespace_over_the_length_limit_is_refused()
    {
        var ns = new string('n', VectorStoreLimits.MaxNamespaceLength + 1);
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food("dal", "Dal is a lentil stew")], ns),
            VectorStoreMessages.NamespaceTooLong(ns.Length), ns);
    }

    [Fact]
    public async Task A_delete_with_an_empty_prefix_is_refused_and_deletes_nothing()
    {
        await SeedFoodsAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(new DeleteRequest { Prefix = "", Namespace = Ns }));

        Assert.StartsWith(VectorStoreMessages.DeleteEmptyPrefix, error.Message, StringComparison.Ordinal);
        Assert.Equal(Foods.Length, await CountAsync(Ns));
    }

    [Fact]
    public async Task An_empty_upsert_writes_nothing_returns_zero_and_does_not_create_the_namespace()
    {
        var result = await UpsertAsync([]);

        Assert.Equal(0, result.Upserted);
        Assert.Empty(result.WrittenIds);
        Assert.DoesNotContain(Ns, await Store.ListNamespacesAsync());
    }

    [Fact]
    public async Task An_upsert_over_the_batch_limit_is_refused_before_anything_is_written()
    {
        var records = Enumerable.Range(0, VectorStoreLimits.MaxBatchSize + 1).Select(i => Food($"r{i}", $"record {i}"));

        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync(records), VectorStoreMessages.TooManyRecords(VectorStoreLimits.MaxBatchSize + 1));
    }

    [Fact]
    public async Task Fetching_more_ids_than_the_batch_limit_is_refused()
    {
        var ids = Enumerable.Range(0, VectorStoreLimits.MaxBatchSize + 1).Select(i => $"r{i}").ToArray();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FetchAsync(new FetchRequest { Ids = ids, Namespace = Ns }));
        Assert.StartsWith(VectorStoreMessages.TooManyIds(ids.Length), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(VectorStoreLimits.MaxBatchSize + 1)]
    public async Task A_range_limit_outside_1_to_the_batch_limit_is_refused(int limit)
    {
        await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(() => Store.RangeAsync(new RangeRequest { Limit = limit, Namespace = Ns }));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task A_vector_with_a_non_finite_value_is_refused(float bad)
    {
        var dimension = await DimensionAsync();
        var vector = UnitVector(dimension, 0);
        vector[^1] = bad;

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(new VectorQuery { Vector = vector, TopK = 3, Namespace = Ns }));
        Assert.StartsWith(VectorStoreMessages.VectorNotFinite("The query vector"), error.Message, StringComparison.Ordinal);
        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([new VectorRecord("v") { Vector = vector }]),
            VectorStoreMessages.VectorNotFinite("The vector of record 'v'"));
    }

    [Fact]
    public async Task Records_of_two_dimensions_in_one_upsert_are_refused()
    {
        var dimension = await DimensionAsync();

        await AssertRefusedWithNothingWrittenAsync(
            () => UpsertAsync([new VectorRecord("a") { Vector = UnitVector(dimension, 0) }, new VectorRecord("b") { Vector = UnitVector(dimension + 1, 0) }]),
            VectorStoreMessages.MixedDimensions("b", dimension + 1, "a", dimension));
    }

    public static TheoryData<string, string> MetadataOverTheLimits => new()
    {
        { "size", JsonSerializer.Serialize(new { blob = new string('m', VectorStoreLimits.MaxMetadataBytes) }) },
        { "depth", Nested(VectorStoreLimits.MaxMetadataDepth + 1) },
        { "key length", JsonSerializer.Serialize(new Dictionary<string, int> { [new string('k', VectorStoreLimits.MaxMetadataKeyLength + 1)] = 1 }) },
        { "key count", JsonSerializer.Serialize(Enumerable.Range(0, VectorStoreLimits.MaxMetadataKeys + 1).ToDictionary(i => $"k{i}", i => i)) },
        { "not an object", "[1, 2, 3]" },
    };

    [Theory]
    [MemberData(nameof(MetadataOverTheLimits))]
    public async Task Metadata_over_a_limit_is_refused_and_nothing_is_written(string rule, string metadataJson)
    {
        var expected = rule switch
        {
            "size" => "The metadata of record 'm' is ",
            "depth" => VectorStoreMessages.MetadataTooDeep("m"),
            "key length" => VectorStoreMessages.MetadataKeyTooLong("m", VectorStoreLimits.MaxMetadataKeyLength + 1),
            "key count" => VectorStoreMessages.MetadataTooManyKeys("m"),
            _ => VectorStoreMessages.MetadataNotObject("m", JsonValueKind.Array),
        };

        await AssertRefusedWithNothingWrittenAsync(() => UpsertAsync([Food("m", "metadata at the limit", metadataJson)]), expected);
    }

    [Fact]
    public async Task Metadata_at_the_size_and_key_limits_is_stored()
    {
        var keys = Enumerable.Range(0, VectorStoreLimits.MaxMetadataKeys).ToDictionary(i => $"k{i}", i => (object)i);
        keys["k0"] = new string('v', VectorStoreLimits.MaxMetadataBytes - Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(keys)) - 1);
        var json = JsonSerializer.Serialize(keys);
        Assert.Equal(VectorStoreLimits.MaxMetadataBytes, Encoding.UTF8.GetByteCount(json));

        await UpsertAsync([Food("m", "metadata at the limit", json)]);

        var stored = Assert.IsType<VectorRecord>((await Store.FetchAsync(new FetchRequest { Ids = ["m"], Namespace = Ns }))[0]);
        Assert.Equal(VectorStoreLimits.MaxMetadataKeys, stored.Metadata!.Value.EnumerateObject().Count());
    }

    [Fact]
    public async Task A_refused_filter_delete_or_query_changes_nothing()
    {
        await SeedFoodsAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.DeleteAsync(new DeleteRequest { Ids = ["dal"], Filter = MetadataFilter.Parse("region = 'India'"), Namespace = Ns }));

        Assert.Equal(Foods.Length, await CountAsync(Ns));
    }

    private static string Nested(int depth)
    {
        var json = "1";
        for (var i = 0; i < depth; i++)
        {
            json = $"{{\"d{i}\":{json}}}";
        }

        return json;
    }
}
