using System.Text.Json;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="IVectorStore"/> promises. Each provider's test class inherits this and supplies
/// a store; xunit runs every test below against it.
/// </summary>
/// <remarks>
/// <para>xunit makes a new instance per test: <see cref="CreateStoreAsync"/> runs before each test and
/// <see cref="DisposeStoreAsync"/> after it. Tests write into their own namespace (<see cref="Ns"/>), so a store
/// shared by several tests still works, except for the reset-all test, which empties the whole store: the store
/// must not be shared with tests running at the same time.</para>
/// <para>Capability flags: a provider that cannot express something (nested paths, arrays, GLOB, caller-supplied
/// vectors) sets the flag to false; the suite then asserts that the request is refused before any I/O
/// (<see cref="AssertRefusedAsync"/>, an <see cref="ArgumentException"/> by default) instead of answered.</para>
/// <para>Texts are chosen so that any word-based embedder ranks them as the tests expect.</para>
/// </remarks>
public abstract partial class VectorStoreConformanceTests : IAsyncLifetime
{
    private IVectorStore? _store;

    /// <summary>The store under test (created fresh by <see cref="CreateStoreAsync"/> for each test).</summary>
    protected IVectorStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A namespace unique to this test instance.</summary>
    protected string Ns { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Filters on nested paths (<c>origin.city</c>).</summary>
    protected virtual bool SupportsNestedPaths => true;

    /// <summary>Array filters: <c>CONTAINS</c>, <c>NOT CONTAINS</c>, array indexes (<c>tags[0]</c>).</summary>
    protected virtual bool SupportsArrayFilters => true;

    /// <summary><c>GLOB</c> / <c>NOT GLOB</c>.</summary>
    protected virtual bool SupportsGlob => true;

    /// <summary>Records carrying their own vector on upsert.</summary>
    protected virtual bool SupportsVectorUpserts => true;

    /// <summary>Makes the store for one test.</summary>
    protected abstract Task<IVectorStore> CreateStoreAsync();

    /// <summary>Releases the store after one test; disposes it when it is disposable.</summary>
    protected virtual async Task DisposeStoreAsync(IVectorStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>Asserts that an operation the provider cannot express is refused.</summary>
    protected virtual Task AssertRefusedAsync(Func<Task> operation) => Assert.ThrowsAnyAsync<ArgumentException>(operation);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    // ---- Test data -------------------------------------------------------------------------------------------

    protected static readonly VectorRecord[] Foods =
    [
        Food("dal", "Dal is a spicy lentil stew from India",
            """{"region":"India","type":"Main","price":8,"tags":["vegan","spicy"],"origin":{"country":"India","city":"Delhi"}}"""),
        Food("sushi", "Sushi is vinegared rice with raw fish from Japan",
            """{"region":"Japan","type":"Main","price":20,"tags":["fish"],"origin":{"country":"Japan","city":"Tokyo"}}"""),
        Food("mochi", "Mochi is a sweet rice cake dessert from Japan",
            """{"region":"Japan","type":"Dessert","price":5,"tags":["sweet","vegan"],"origin":{"country":"Japan","city":"Kyoto"}}"""),
        Food("gulab", "Gulab jamun are fried milk balls soaked in syrup",
            """{"region":"India","type":"Dessert","price":4,"tags":["sweet"],"origin":{"country":"India","city":"Kolkata"}}"""),
        Food("tacos", "Tacos are corn tortillas filled with grilled meat from Mexico",
            """{"region":"Mexico","type":"Main","price":9,"tags":["spicy"],"origin":{"country":"Mexico","city":"Puebla"}}"""),
    ];

    protected static VectorRecord Food(string id, string text, string? metadataJson = null) => new(id)
    {
        Text = text,
        Metadata = metadataJson is null ? null : JsonDocument.Parse(metadataJson).RootElement.Clone(),
    };

    protected Task<UpsertResult> UpsertAsync(IEnumerable<VectorRecord> records, string? ns = null) =>
        Store.UpsertAsync(new UpsertRequest([.. records]) { Namespace = ns ?? Ns });

    protected Task SeedFoodsAsync(string? ns = null) => UpsertAsync(Foods, ns);

    protected async Task<HashSet<string>> IdsMatchingAsync(string filter)
    {
        var matches = await Store.QueryAsync(new VectorQuery
        {
            Text = "food",
            TopK = 100,
            Filter = MetadataFilter.Parse(filter),
            Namespace = Ns,
        });
        return [.. matches.Select(m => m.Id)];
    }

    protected static HashSet<string> Set(string commaSeparated) =>
        [.. commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private async Task<long> CountAsync(string ns)
    {
        var info = await Store.GetInfoAsync();
        return info.Namespaces.TryGetValue(ns, out var count) ? count : 0;
    }

    private async Task<int> DimensionAsync() => (await Store.GetInfoAsync()).Dimension;

    private static float[] UnitVector(int dimension, int hot)
    {
        var vector = new float[dimension];
        vector[hot % dimension] = 1f;
        return vector;
    }

    // ---- Upsert and fetch ------------------------------------------------------------------------------------

    [Fact]
    public async Task Upserted_records_come_back_from_fetch_with_text_and_metadata()
    {
        var result = await UpsertAsync(Foods);

        Assert.Equal(Foods.Length, result.Upserted);
        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["sushi", "dal"], Namespace = Ns });
        Assert.Equal(2, fetched.Count);
        var sushi = Assert.IsType<VectorRecord>(fetched[0]);
        Assert.Equal("sushi", sushi.Id);
        Assert.Equal("Sushi is vinegared rice with raw fish from Japan", sushi.Text);
        Assert.NotNull(sushi.Metadata);
        Assert.Equal("Japan", sushi.Metadata.Value.GetProperty("region").GetString());
        Assert.Equal(20, sushi.Metadata.Value.GetProperty("price").GetInt32());
        Assert.Equal("fish", sushi.Metadata.Value.GetProperty("tags")[0].GetString());
        Assert.Equal("Tokyo", sushi.Metadata.Value.GetProperty("origin").GetProperty("city").GetString());
        Assert.Equal("dal", fetched[1]?.Id);
    }

    [Fact]
    public async Task Fetch_returns_null_in_place_of_unknown_ids()
    {
        await SeedFoodsAsync();

        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["nope", "mochi", "also-nope"], Namespace = Ns });

        Assert.Equal(3, fetched.Count);
        Assert.Null(fetched[0]);
        Assert.Equal("mochi", fetched[1]?.Id);
        Assert.Null(fetched[2]);
    }

    [Fact]
    public async Task Fetch_with_vectors_included_returns_vectors_of_the_store_dimension()
    {
        await SeedFoodsAsync();
        var dimension = await DimensionAsync();

        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Include = Include.All, Namespace = Ns });

        var vector = Assert.IsType<float[]>(fetched[0]?.Vector);
        Assert.Equal(dimension, vector.Length);
    }

    [Fact]
    public async Task Fetch_leaves_out_what_include_does_not_ask_for()
    {
        await SeedFoodsAsync();

        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Include = Include.None, Namespace = Ns });

        var dal = Assert.IsType<VectorRecord>(fetched[0]);
        Assert.Null(dal.Text);
        Assert.Null(dal.Metadata);
        Assert.Null(dal.Vector);
    }

    [Fact]
    public async Task Upserting_an_existing_id_replaces_its_text_and_metadata()
    {
        await UpsertAsync([Food("x", "Paella is a rice dish", """{"a":1,"b":2}""")]);

        await UpsertAsync([Food("x", "Risotto is a creamy rice dish", """{"c":3}""")]);

        var fetched = (await Store.FetchAsync(new FetchRequest { Ids = ["x"], Namespace = Ns }))[0];
        Assert.NotNull(fetched);
        Assert.Equal("Risotto is a creamy rice dish", fetched.Text);
        var metadata = Assert.IsType<JsonElement>(fetched.Metadata);
        Assert.False(metadata.TryGetProperty("a", out _));
        Assert.False(metadata.TryGetProperty("b", out _));
        Assert.Equal(3, metadata.GetProperty("c").GetInt32());
        Assert.Equal(1, await CountAsync(Ns));
    }

    [Fact]
    public async Task Duplicate_ids_in_one_upsert_keep_the_last()
    {
        await UpsertAsync([Food("x", "first version"), Food("x", "second version")]);

        var fetched = (await Store.FetchAsync(new FetchRequest { Ids = ["x"], Namespace = Ns }))[0];
        Assert.Equal("second version", fetched?.Text);
        Assert.Equal(1, await CountAsync(Ns));
    }

    [Fact]
    public async Task Fetch_by_prefix_returns_only_ids_with_that_prefix()
    {
        await UpsertAsync([Food("fruit-apple", "apple"), Food("fruit-pear", "pear"), Food("veg-leek", "leek"), Food("fruitless", "nothing")]);

        var fetched = await Store.FetchAsync(new FetchRequest { Prefix = "fruit-", Namespace = Ns });

        Assert.Equal(Set("fruit-apple,fruit-pear"), fetched.Select(r => r!.Id).ToHashSet());
    }

    [Fact]
    public async Task A_record_with_its_own_vector_is_stored_with_that_vector_or_refused()
    {
        var dimension = await DimensionAsync();
        var vector = UnitVector(dimension, 3);
        var record = new VectorRecord("v1") { Vector = vector, Text = "vector record" };

        if (!SupportsVectorUpserts)
        {
            await AssertRefusedAsync(() => UpsertAsync([record]));
            return;
        }

        await UpsertAsync([record]);
        var fetched = (await Store.FetchAsync(new FetchRequest { Ids = ["v1"], Include = Include.All, Namespace = Ns }))[0];
        Assert.NotNull(fetched?.Vector);
        Assert.Equal(1f, fetched.Vector[3], 5);
        Assert.Equal(0f, fetched.Vector[4], 5);
    }

    // ---- Query -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_text_query_ranks_the_matching_record_first()
    {
        await SeedFoodsAsync();

        var matches = await Store.QueryAsync(new VectorQuery { Text = "raw fish with vinegared rice", TopK = 3, Namespace = Ns });

        Assert.Equal("sushi", matches[0].Id);
        Assert.Equal("Sushi is vinegared rice with raw fish from Japan", matches[0].Text);
        Assert.Equal("Japan", matches[0].Metadata?.GetProperty("region").GetString());
    }

    [Fact]
    public async Task Scores_are_similarities_between_zero_and_one_best_first()
    {
        await SeedFoodsAsync();

        var matches = await Store.QueryAsync(new VectorQuery { Text = "sweet rice cake", TopK = 5, Namespace = Ns });

        Assert.Equal(5, matches.Count);
        Assert.All(matches, m => Assert.InRange(m.Score, 0f, 1f));
        for (var i = 1; i < matches.Count; i++)
        {
            Assert.True(matches[i - 1].Score >= matches[i].Score, $"match {i} scores above match {i - 1}");
        }
    }

    [Fact]
    public async Task Querying_with_a_stored_vector_finds_that_record_with_score_one()
    {
        await SeedFoodsAsync();
        var tacos = (await Store.FetchAsync(new FetchRequest { Ids = ["tacos"], Include = Include.All, Namespace = Ns }))[0];
        Assert.NotNull(tacos?.Vector);

        var matches = await Store.QueryAsync(new VectorQuery { Vector = tacos.Vector, TopK = 2, Namespace = Ns });

        Assert.Equal("tacos", matches[0].Id);
        Assert.Equal(1f, matches[0].Score, 1e-5f);
        Assert.True(matches[1].Score < matches[0].Score);
    }

    [Fact]
    public async Task Query_returns_at_most_top_k_matches()
    {
        await SeedFoodsAsync();

        var matches = await Store.QueryAsync(new VectorQuery { Text = "food from Japan", TopK = 2, Namespace = Ns });

        Assert.Equal(2, matches.Count);
    }

    [Fact]
    public async Task Query_includes_vectors_only_when_asked()
    {
        await SeedFoodsAsync();
        var dimension = await DimensionAsync();

        var without = await Store.QueryAsync(new VectorQuery { Text = "lentil", TopK = 1, Namespace = Ns });
        var with = await Store.QueryAsync(new VectorQuery { Text = "lentil", TopK = 1, Include = Include.All, Namespace = Ns });
        var bare = await Store.QueryAsync(new VectorQuery { Text = "lentil", TopK = 1, Include = Include.None, Namespace = Ns });

        Assert.Null(without[0].Vector);
        Assert.Equal(dimension, with[0].Vector?.Length);
        Assert.Null(bare[0].Text);
        Assert.Null(bare[0].Metadata);
    }

    [Fact]
    public async Task Querying_a_namespace_that_does_not_exist_returns_nothing_and_does_not_create_it()
    {
        var matches = await Store.QueryAsync(new VectorQuery { Text = "anything", TopK = 5, Namespace = Ns + "-missing" });

        Assert.Empty(matches);
        Assert.DoesNotContain(Ns + "-missing", await Store.ListNamespacesAsync());
    }

    // ---- Filters ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("region = 'India'", "dal,gulab")]
    [InlineData("region != 'India'", "sushi,mochi,tacos")]
    [InlineData("price < 8", "mochi,gulab")]
    [InlineData("price <= 8", "dal,mochi,gulab")]
    [InlineData("price > 9", "sushi")]
    [InlineData("price >= 9", "sushi,tacos")]
    [InlineData("region IN ('Japan', 'Mexico')", "sushi,mochi,tacos")]
    [InlineData("region NOT IN ('Japan', 'Mexico')", "dal,gulab")]
    [InlineData("region = 'India' AND type = 'Dessert'", "gulab")]
    [InlineData("type = 'Dessert' OR price > 15", "sushi,mochi,gulab")]
    [InlineData("(region = 'Japan' OR region = 'Mexico') AND type = 'Main'", "sushi,tacos")]
    [InlineData("region = 'Nowhere'", "")]
    public async Task Filters_select_exactly_the_matching_records(string filter, string expected)
    {
        await SeedFoodsAsync();

        Assert.Equal(Set(expected), await IdsMatchingAsync(filter));
    }

    [Theory]
    [InlineData("origin.city = 'Kyoto'", "mochi")]
    [InlineData("origin.country = 'India' AND price < 5", "gulab")]
    public async Task Filters_on_nested_paths_select_the_matching_records_or_are_refused(string filter, string expected)
    {
        await SeedFoodsAsync();

        if (!SupportsNestedPaths)
        {
            await AssertRefusedAsync(() => IdsMatchingAsync(filter));
            return;
        }

        Assert.Equal(Set(expected), await IdsMatchingAsync(filter));
    }

    [Theory]
    [InlineData("tags CONTAINS 'vegan'", "dal,mochi")]
    [InlineData("tags NOT CONTAINS 'sweet'", "dal,sushi,tacos")]
    [InlineData("tags[0] = 'sweet'", "mochi,gulab")]
    public async Task Array_filters_select_the_matching_records_or_are_refused(string filter, string expected)
    {
        await SeedFoodsAsync();

        if (!SupportsArrayFilters)
        {
            await AssertRefusedAsync(() => IdsMatchingAsync(filter));
            return;
        }

        Assert.Equal(Set(expected), await IdsMatchingAsync(filter));
    }

    [Theory]
    [InlineData("region GLOB 'J*'", "sushi,mochi")]
    [InlineData("region NOT GLOB '*a'", "mochi,sushi,tacos")]
    public async Task Glob_filters_select_the_matching_records_or_are_refused(string filter, string expected)
    {
        await SeedFoodsAsync();

        if (!SupportsGlob)
        {
            await AssertRefusedAsync(() => IdsMatchingAsync(filter));
            return;
        }

        Assert.Equal(Set(expected), await IdsMatchingAsync(filter));
    }

    [Fact]
    public async Task A_filter_and_top_k_together_return_the_best_matches_that_pass_the_filter()
    {
        await SeedFoodsAsync();

        var matches = await Store.QueryAsync(new VectorQuery
        {
            Text = "raw fish with vinegared rice",
            TopK = 1,
            Filter = MetadataFilter.Parse("type = 'Dessert'"),
            Namespace = Ns,
        });

        Assert.Equal("mochi", Assert.Single(matches).Id);
    }

    // ---- Namespaces ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Namespaces_keep_their_records_apart()
    {
        var other = Ns + "-other";
        await UpsertAsync([Food("same", "Kimchi is fermented cabbage")]);
        await UpsertAsync([Food("same", "Baklava is a honey pastry"), Food("only-there", "Borscht is beet soup")], other);

        var here = await Store.FetchAsync(new FetchRequest { Ids = ["same", "only-there"], Namespace = Ns });
        var there = await Store.FetchAsync(new FetchRequest { Ids = ["same", "only-there"], Namespace = other });
        var queried = await Store.QueryAsync(new VectorQuery { Text = "beet soup", TopK = 10, Namespace = Ns });

        Assert.Equal("Kimchi is fermented cabbage", here[0]?.Text);
        Assert.Null(here[1]);
        Assert.Equal("Baklava is a honey pastry", there[0]?.Text);
        Assert.NotNull(there[1]);
        Assert.Equal(["same"], queried.Select(m => m.Id));
    }

    [Fact]
    public async Task Namespaces_are_listed_with_the_default_and_can_be_deleted()
    {
        await SeedFoodsAsync();

        var listed = await Store.ListNamespacesAsync();
        Assert.Contains("", listed);
        Assert.Contains(Ns, listed);

        Assert.True(await Store.DeleteNamespaceAsync(Ns));
        Assert.DoesNotContain(Ns, await Store.ListNamespacesAsync());
        Assert.Empty(await Store.QueryAsync(new VectorQuery { Text = "lentil", TopK = 5, Namespace = Ns }));
        Assert.False(await Store.DeleteNamespaceAsync(Ns));
    }

    [Fact]
    public async Task The_default_namespace_cannot_be_deleted()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteNamespaceAsync(""));
    }

    // ---- Delete ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Delete_by_ids_counts_only_records_that_existed()
    {
        await SeedFoodsAsync();

        var deleted = await Store.DeleteAsync(new DeleteRequest { Ids = ["dal", "sushi", "unknown"], Namespace = Ns });

        Assert.Equal(2, deleted);
        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["dal", "sushi", "mochi"], Namespace = Ns });
        Assert.Null(fetched[0]);
        Assert.Null(fetched[1]);
        Assert.NotNull(fetched[2]);
        Assert.Equal(3, await CountAsync(Ns));
    }

    [Fact]
    public async Task Delete_by_prefix_removes_only_that_prefix()
    {
        await UpsertAsync([Food("fruit-apple", "apple"), Food("fruit-pear", "pear"), Food("veg-leek", "leek")]);

        var deleted = await Store.DeleteAsync(new DeleteRequest { Prefix = "fruit-", Namespace = Ns });

        Assert.Equal(2, deleted);
        Assert.Equal(1, await CountAsync(Ns));
        Assert.NotNull((await Store.FetchAsync(new FetchRequest { Ids = ["veg-leek"], Namespace = Ns }))[0]);
    }

    [Fact]
    public async Task Delete_by_filter_removes_the_matching_records()
    {
        await SeedFoodsAsync();

        var deleted = await Store.DeleteAsync(new DeleteRequest { Filter = MetadataFilter.Parse("type = 'Dessert'"), Namespace = Ns });

        Assert.Equal(2, deleted);
        Assert.Equal(Set("dal,sushi,tacos"), await IdsMatchingAsync("price > 0"));
    }

    // ---- Range -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Range_pages_through_every_record_once_and_ends_with_an_empty_cursor()
    {
        var records = Enumerable.Range(0, 20).Select(i => Food($"item-{i:D2}", $"item number {i}", $$"""{"n":{{i}}}""")).ToArray();
        await UpsertAsync(records);

        var first = await Store.RangeAsync(new RangeRequest { Cursor = "", Limit = 4, Namespace = Ns });
        Assert.Equal(4, first.Records.Count);
        Assert.NotEqual("", first.NextCursor);
        var second = await Store.RangeAsync(new RangeRequest { Cursor = first.NextCursor, Limit = 8, Namespace = Ns });
        Assert.Equal(8, second.Records.Count);
        Assert.NotEqual("", second.NextCursor);
        var third = await Store.RangeAsync(new RangeRequest { Cursor = second.NextCursor, Limit = 8, Namespace = Ns });
        Assert.Equal(8, third.Records.Count);
        Assert.Equal("", third.NextCursor);

        var seen = first.Records.Concat(second.Records).Concat(third.Records).Select(r => r.Id).ToList();
        Assert.Equal(records.Select(r => r.Id).ToHashSet(), seen.ToHashSet());
        Assert.Equal(20, seen.Count);
        Assert.Equal("item number 7", third.Records.Concat(second.Records).Concat(first.Records).Single(r => r.Id == "item-07").Text);
    }

    [Fact]
    public async Task Range_over_an_empty_namespace_returns_no_records_and_an_empty_cursor()
    {
        var page = await Store.RangeAsync(new RangeRequest { Cursor = "", Limit = 10, Namespace = Ns });

        Assert.Empty(page.Records);
        Assert.Equal("", page.NextCursor);
    }

    // ---- Info and reset --------------------------------------------------------------------------------------

    [Fact]
    public async Task Info_counts_records_per_namespace_and_describes_the_space()
    {
        await SeedFoodsAsync();
        await UpsertAsync([Food("a", "apple"), Food("b", "banana")], Ns + "-2");

        var info = await Store.GetInfoAsync();

        Assert.Equal(Store.Name, info.Store);
        Assert.Equal(Foods.Length, info.Namespaces[Ns]);
        Assert.Equal(2, info.Namespaces[Ns + "-2"]);
        Assert.True(info.Namespaces.ContainsKey(""));
        Assert.True(info.VectorCount >= Foods.Length + 2);
        Assert.True(info.Dimension > 0);
        Assert.Equal(SimilarityFunction.Cosine, info.Similarity);
        Assert.False(string.IsNullOrWhiteSpace(info.EmbeddingModel));
    }

    [Fact]
    public async Task Resetting_one_namespace_empties_it_and_leaves_the_others()
    {
        var other = Ns + "-kept";
        await SeedFoodsAsync();
        await SeedFoodsAsync(other);

        await Store.ResetAsync(Ns);

        Assert.Equal(0, await CountAsync(Ns));
        Assert.Equal(Foods.Length, await CountAsync(other));
        Assert.Null((await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = Ns }))[0]);
        Assert.NotNull((await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = other }))[0]);
        Assert.Contains(Ns, await Store.ListNamespacesAsync());
    }

    [Fact]
    public async Task Resetting_all_empties_every_namespace()
    {
        var other = Ns + "-also";
        await SeedFoodsAsync();
        await SeedFoodsAsync(other);

        await Store.ResetAsync(all: true);

        var info = await Store.GetInfoAsync();
        Assert.Equal(0, info.VectorCount);
        Assert.All(info.Namespaces.Values, count => Assert.Equal(0, count));
        Assert.Empty(await Store.QueryAsync(new VectorQuery { Text = "lentil", TopK = 5, Namespace = other }));
    }

    // ---- Validation and cancellation -------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task An_empty_id_is_an_argument_error(string id)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => UpsertAsync([Food(id, "text")]));
    }

    [Fact]
    public async Task A_record_without_text_or_vector_is_an_argument_error()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => UpsertAsync([new VectorRecord("empty")]));
    }

    [Fact]
    public async Task A_query_vector_of_the_wrong_dimension_is_an_argument_error()
    {
        var dimension = await DimensionAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.QueryAsync(new VectorQuery { Vector = new float[dimension + 1], TopK = 3, Namespace = Ns }));
    }

    [Fact]
    public async Task A_record_vector_of_the_wrong_dimension_is_an_argument_error()
    {
        var dimension = await DimensionAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            UpsertAsync([new VectorRecord("bad") { Vector = new float[dimension + 1], Text = "bad" }]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Top_k_outside_1_to_1000_is_an_argument_error(int topK)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.QueryAsync(new VectorQuery { Text = "rice", TopK = topK, Namespace = Ns }));
    }

    [Fact]
    public async Task A_query_with_both_text_and_vector_is_an_argument_error()
    {
        var dimension = await DimensionAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.QueryAsync(new VectorQuery { Text = "rice", Vector = UnitVector(dimension, 1), TopK = 3, Namespace = Ns }));
    }

    [Fact]
    public async Task Fetch_with_both_ids_and_prefix_is_an_argument_error()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.FetchAsync(new FetchRequest { Ids = ["a"], Prefix = "a", Namespace = Ns }));
    }

    [Fact]
    public async Task Delete_with_more_than_one_selector_is_an_argument_error()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.DeleteAsync(new DeleteRequest { Ids = ["a"], Prefix = "a", Namespace = Ns }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Store.DeleteAsync(new DeleteRequest { Namespace = Ns }));
    }

    [Fact]
    public async Task A_cancelled_token_stops_every_operation()
    {
        await SeedFoodsAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Store.UpsertAsync(new UpsertRequest([Food("late", "too late")]) { Namespace = Ns }, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Store.QueryAsync(new VectorQuery { Text = "rice", TopK = 3, Namespace = Ns }, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = Ns }, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Store.DeleteAsync(new DeleteRequest { Ids = ["dal"], Namespace = Ns }, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Store.RangeAsync(new RangeRequest { Namespace = Ns }, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetInfoAsync(token));

        Assert.Null((await Store.FetchAsync(new FetchRequest { Ids = ["late"], Namespace = Ns }))[0]);
        Assert.NotNull((await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = Ns }))[0]);
    }
}
