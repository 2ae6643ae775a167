using Microsoft.Extensions.VectorData;
using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Support;
using MevdException = Microsoft.Extensions.VectorData.VectorStoreException;

namespace RagFood.VectorData.Tests;

/// <summary>The MEVD adapter held against a real RagFood store; each store's test class inherits this.</summary>
/// <remarks>Every test works in its own collection (namespace). Vectors come from the word-hash embedder the store
/// itself embeds with, so searching by vector and by text agree.</remarks>
public abstract class VectorDataAdapterTests : IAsyncLifetime
{
    private IVectorStore? _store;

    protected IVectorStore Store => _store ?? throw new InvalidOperationException("Created in InitializeAsync.");

    protected RagFoodVectorStore VectorStore => new(Store);

    /// <summary>The dimension of the store's embedding space.</summary>
    protected abstract int Dimension { get; }

    /// <summary>Array filters (CONTAINS) and GLOB in search; Chroma refuses both.</summary>
    protected virtual bool SupportsArrayAndGlobFilters => true;

    protected string CollectionName { get; } = "mevd" + Guid.NewGuid().ToString("N")[..10];

    protected abstract Task<IVectorStore> CreateStoreAsync();

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    private WordHashEmbeddingGenerator Embedder => new(Dimension);

    private RagFoodCollection<string, Food> Foods(string? name = null) =>
        VectorStore.GetCollection<string, Food>(name ?? CollectionName, Food.Definition(Dimension));

    private Food NewFood(string id, string text, string region, string type, int price, bool vegan, params string[] tags) => new()
    {
        Id = id,
        Text = text,
        Region = region,
        Type = type,
        Price = price,
        Vegan = vegan,
        Tags = [.. tags],
        Embedding = Embedder.Embed(text),
    };

    private Food[] Menu =>
    [
        NewFood("dal", "Dal is a spicy lentil stew from India", "India", "Main", 8, true, "vegan", "spicy"),
        NewFood("sushi", "Sushi is vinegared rice with raw fish from Japan", "Japan", "Main", 20, false, "fish"),
        NewFood("mochi", "Mochi is a sweet rice cake dessert from Japan", "Japan", "Dessert", 5, true, "sweet", "vegan"),
        NewFood("gulab", "Gulab jamun are fried milk balls soaked in syrup", "India", "Dessert", 4, false, "sweet"),
        NewFood("matcha", "Matcha is a whisked green tea drink from Japan", "Japan", "Drink", 6, true, "tea"),
    ];

    private async Task<RagFoodCollection<string, Food>> SeededAsync()
    {
        var foods = Foods();
        await foods.UpsertAsync(Menu);
        return foods;
    }

    private static async Task<List<string>> IdsAsync(IAsyncEnumerable<Food> records) => [.. (await records.ToListAsync()).Select(f => f.Id)];

    private static async Task<HashSet<string>> IdsAsync(IAsyncEnumerable<VectorSearchResult<Food>> results) =>
        [.. (await results.ToListAsync()).Select(r => r.Record.Id)];

    private static HashSet<string> Set(params string[] ids) => [.. ids];

    [Fact]
    public async Task A_typed_record_round_trips_through_upsert_and_get()
    {
        var foods = Foods();
        var sushi = Menu[1];

        await foods.UpsertAsync(sushi);
        var read = await foods.GetAsync("sushi", new RecordRetrievalOptions { IncludeVectors = true });

        Assert.NotNull(read);
        Assert.Equal("sushi", read.Id);
        Assert.Equal(sushi.Text, read.Text);
        Assert.Equal("Japan", read.Region);
        Assert.Equal("Main", read.Type);
        Assert.Equal(20, read.Price);
        Assert.False(read.Vegan);
        Assert.Equal(["fish"], read.Tags);
        Assert.Equal(sushi.Embedding!.Value.ToArray(), read.Embedding!.Value.ToArray(), new ToleranceComparer());
        Assert.Null(await foods.GetAsync("nope"));
    }

    [Fact]
    public async Task The_record_lands_in_the_store_as_text_and_metadata_under_storage_names()
    {
        await Foods().UpsertAsync(Menu[0]);

        var stored = (await Store.FetchAsync(new FetchRequest { Ids = ["dal"], Namespace = CollectionName }))[0];

        Assert.NotNull(stored);
        Assert.Equal("Dal is a spicy lentil stew from India", stored.Text);
        var metadata = stored.Metadata!.Value;
        Assert.Equal("India", metadata.GetProperty("region").GetString());
        Assert.Equal(8, metadata.GetProperty("price").GetInt32());
        Assert.False(metadata.TryGetProperty("text", out _));
        Assert.False(metadata.TryGetProperty("Region", out _));
    }

    [Fact]
    public async Task Vectors_come_back_only_when_asked_for()
    {
        var foods = await SeededAsync();

        var without = await foods.GetAsync("mochi");
        var with = await foods.GetAsync(["mochi", "unknown", "dal"], new RecordRetrievalOptions { IncludeVectors = true }).ToListAsync();

        Assert.Null(without!.Embedding);
        Assert.Equal(["mochi", "dal"], with.Select(f => f.Id));
        Assert.All(with, f => Assert.Equal(Dimension, f.Embedding!.Value.Length));
    }

    [Fact]
    public async Task A_batch_larger_than_the_kernel_limit_is_written_in_chunks()
    {
        var foods = Foods();
        var many = Enumerable.Range(0, 1_050).Select(i => new Food { Id = $"f{i:D4}", Text = $"Food number {i}", Region = "Nowhere", Embedding = Embedder.Embed($"food {i}") }).ToList();

        await foods.UpsertAsync(many);

        var info = await Store.GetInfoAsync();
        Assert.Equal(1_050, info.Namespaces[CollectionName]);
        var read = await foods.GetAsync(["f0000", "f1049"]).ToListAsync();
        Assert.Equal(["f0000", "f1049"], read.Select(f => f.Id));
    }

    [Fact]
    public async Task Search_by_vector_ranks_the_matching_record_first_on_the_one_relevance_scale()
    {
        var foods = await SeededAsync();

        var results = await foods.SearchAsync(Embedder.Embed("Mochi is a sweet rice cake dessert from Japan"), top: 3).ToListAsync();

        Assert.Equal(3, results.Count);
        Assert.Equal("mochi", results[0].Record.Id);
        Assert.InRange(results[0].Score!.Value, 0.99, 1.0);
        Assert.All(results, r => Assert.InRange(r.Score!.Value, 0.0, 1.0));
        Assert.True(results[0].Score >= results[1].Score && results[1].Score >= results[2].Score);
        Assert.Null(results[0].Record.Embedding);
    }

    [Fact]
    public async Task Search_by_text_is_embedded_by_the_store()
    {
        var foods = await SeededAsync();

        var results = await foods.SearchAsync("sweet rice cake dessert", top: 2, new VectorSearchOptions<Food> { IncludeVectors = true }).ToListAsync();

        Assert.Equal("mochi", results[0].Record.Id);
        Assert.Equal(Dimension, results[0].Record.Embedding!.Value.Length);
    }

    [Fact]
    public async Task A_string_vector_property_is_text_the_store_embeds()
    {
        var dishes = VectorStore.GetCollection<string, Dish>(CollectionName, new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Dish.Id), typeof(string)),
                new VectorStoreVectorProperty(nameof(Dish.Description), typeof(string), Dimension),
                new VectorStoreDataProperty(nameof(Dish.Region), typeof(string)) { StorageName = "region" },
            ],
        });
        await dishes.UpsertAsync([
            new Dish { Id = "ramen", Description = "Ramen is a noodle soup from Japan", Region = "Japan" },
            new Dish { Id = "tacos", Description = "Tacos are corn tortillas with grilled meat", Region = "Mexico" },
        ]);

        var results = await dishes.SearchAsync("noodle soup", top: 1).ToListAsync();

        var ramen = Assert.Single(results).Record;
        Assert.Equal("ramen", ramen.Id);
        Assert.Equal("Ramen is a noodle soup from Japan", ramen.Description);
        Assert.Equal("Japan", ramen.Region);
    }

    [Fact]
    public async Task Linq_filters_select_records_in_search()
    {
        var foods = await SeededAsync();
        var cheap = 6;

        Assert.Equal(Set("mochi", "matcha"), await IdsAsync(foods.SearchAsync("food", 10, new() { Filter = r => r.Region == "Japan" && r.Type != "Main" })));
        Assert.Equal(Set("mochi", "gulab", "matcha"), await IdsAsync(foods.SearchAsync("food", 10, new() { Filter = r => r.Price <= cheap })));
        Assert.Equal(Set("dal", "gulab", "sushi"), await IdsAsync(foods.SearchAsync("food", 10, new() { Filter = r => new[] { "India", "Korea" }.Contains(r.Region) || r.Price > 10 })));
        Assert.Equal(Set("dal", "mochi"), await IdsAsync(foods.SearchAsync("food", 10, new() { Filter = r => r.Vegan && !(r.Type == "Drink") })));
    }

    [Fact]
    public async Task Array_and_pattern_filters_work_or_are_refused_by_the_store()
    {
        var foods = await SeededAsync();
        var vegan = foods.SearchAsync("food", 10, new() { Filter = r => r.Tags!.Contains("vegan") });
        var prefix = foods.SearchAsync("food", 10, new() { Filter = r => r.Region!.StartsWith("Ja") });

        if (SupportsArrayAndGlobFilters)
        {
            Assert.Equal(Set("dal", "mochi"), await IdsAsync(vegan));
            Assert.Equal(Set("sushi", "mochi", "matcha"), await IdsAsync(prefix));
        }
        else
        {
            var contains = await Assert.ThrowsAsync<NotSupportedException>(() => IdsAsync(vegan));
            var glob = await Assert.ThrowsAsync<NotSupportedException>(() => IdsAsync(prefix));
            Assert.Contains("CONTAINS", contains.Message);
            Assert.Contains("GLOB", glob.Message);
        }
    }

    [Fact]
    public async Task Top_skip_and_score_threshold_shape_the_results()
    {
        var foods = await SeededAsync();
        var query = Embedder.Embed("Mochi is a sweet rice cake dessert from Japan");

        var all = await foods.SearchAsync(query, 5).ToListAsync();
        var skipped = await foods.SearchAsync(query, 2, new() { Skip = 1 }).ToListAsync();
        var close = await foods.SearchAsync(query, 5, new() { ScoreThreshold = 0.99 }).ToListAsync();

        Assert.Equal(all.Skip(1).Take(2).Select(r => r.Record.Id), skipped.Select(r => r.Record.Id));
        Assert.Equal("mochi", Assert.Single(close).Record.Id);
    }

    [Fact]
    public async Task Get_by_filter_returns_matches_in_insertion_order_with_skip_and_top()
    {
        var foods = await SeededAsync();

        Assert.Equal(["sushi", "mochi", "matcha"], await IdsAsync(foods.GetAsync(r => r.Region == "Japan", top: 10)));
        Assert.Equal(["mochi"], await IdsAsync(foods.GetAsync(r => r.Region == "Japan", top: 1, new() { Skip = 1 })));
        Assert.Equal(5, (await foods.GetAsync(r => true, top: 100).ToListAsync()).Count);
    }

    [Fact]
    public async Task Delete_removes_one_record_or_a_batch()
    {
        var foods = await SeededAsync();

        await foods.DeleteAsync("dal");
        await foods.DeleteAsync(["sushi", "mochi", "never-there"]);

        Assert.Equal(["gulab", "matcha"], await IdsAsync(foods.GetAsync(r => true, top: 10)));
    }

    [Fact]
    public async Task A_collection_exists_from_its_first_record_until_it_is_deleted()
    {
        var foods = Foods();

        await foods.EnsureCollectionExistsAsync();
        Assert.False(await foods.CollectionExistsAsync());

        await foods.UpsertAsync(Menu[0]);
        Assert.True(await foods.CollectionExistsAsync());
        Assert.True(await VectorStore.CollectionExistsAsync(CollectionName));
        Assert.Contains(CollectionName, await VectorStore.ListCollectionNamesAsync().ToListAsync());

        await VectorStore.EnsureCollectionDeletedAsync(CollectionName);
        await foods.EnsureCollectionDeletedAsync();
        Assert.False(await foods.CollectionExistsAsync());
        Assert.DoesNotContain(CollectionName, await VectorStore.ListCollectionNamesAsync().ToListAsync());
        Assert.Null(await foods.GetAsync("dal"));
    }

    [Fact]
    public async Task The_default_namespace_cannot_be_deleted() =>
        await Assert.ThrowsAnyAsync<ArgumentException>(() => VectorStore.EnsureCollectionDeletedAsync(""));

    [Fact]
    public async Task A_filter_the_adapter_cannot_express_is_refused_before_any_call()
    {
        var foods = await SeededAsync();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => IdsAsync(foods.SearchAsync("food", 5, new() { Filter = r => r.Price * 2 > 10 })));

        Assert.Contains("arithmetic on a field", error.Message);
    }

    [Fact]
    public async Task A_vector_property_of_another_dimension_is_refused()
    {
        var foods = VectorStore.GetCollection<string, Food>(CollectionName, Food.Definition(Dimension + 1));
        var food = Menu[0];
        food.Embedding = new float[Dimension + 1];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => foods.UpsertAsync(food));

        Assert.Contains($"declares {Dimension + 1} dimensions", error.Message);
        Assert.Contains($"{Dimension}-d", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => foods.EnsureCollectionExistsAsync());
    }

    [Fact]
    public async Task The_dynamic_collection_maps_dictionaries()
    {
        var dynamic = VectorStore.GetDynamicCollection(CollectionName, Food.Definition(Dimension, typeof(float[])));
        await dynamic.UpsertAsync(new Dictionary<string, object?>
        {
            ["Id"] = "pho",
            ["Text"] = "Pho is a Vietnamese noodle soup",
            ["Region"] = "Vietnam",
            ["Price"] = 9,
            ["Embedding"] = Embedder.Embed("Pho is a Vietnamese noodle soup"),
        });

        var read = await dynamic.GetAsync("pho", new RecordRetrievalOptions { IncludeVectors = true });
        var found = await dynamic.GetAsync(r => (string?)r["Region"] == "Vietnam", top: 5).ToListAsync();

        Assert.NotNull(read);
        Assert.Equal("Pho is a Vietnamese noodle soup", read["Text"]);
        Assert.Equal(9, read["Price"]);
        Assert.Equal(Dimension, Assert.IsType<float[]>(read["Embedding"]).Length);
        Assert.Equal("pho", Assert.Single(found)["Id"]);
    }

    [Fact]
    public void Metadata_names_the_store_system_and_the_collection()
    {
        var foods = Foods();

        var storeMetadata = Assert.IsType<VectorStoreMetadata>(VectorStore.GetService(typeof(VectorStoreMetadata)));
        var collectionMetadata = Assert.IsType<VectorStoreCollectionMetadata>(foods.GetService(typeof(VectorStoreCollectionMetadata)));

        Assert.Equal(Store.Name, storeMetadata.VectorStoreSystemName);
        Assert.Equal(Store.Name, collectionMetadata.VectorStoreSystemName);
        Assert.Equal(CollectionName, collectionMetadata.CollectionName);
        Assert.Same(Store, foods.GetService(typeof(IVectorStore)));
    }

    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) < 1e-4;

        public int GetHashCode(float obj) => 0;
    }
}
