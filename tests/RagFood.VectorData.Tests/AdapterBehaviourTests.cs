using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Support;
using RagFood.Tests.Shared;
using MevdException = Microsoft.Extensions.VectorData.VectorStoreException;
using RagFoodException = RagFood.Core.VectorStores.VectorStoreException;

namespace RagFood.VectorData.Tests;

/// <summary>What the adapter does apart from any one store: error mapping, refusals at construction, registration.</summary>
public sealed class AdapterBehaviourTests
{
    private sealed class IntKeyed
    {
        [VectorStoreKey]
        public int Id { get; set; }
    }

    private sealed class WithDate
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public DateTime When { get; set; }
    }

    private sealed class Note
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData]
        public string? Body { get; set; }

        [VectorStoreData(StorageName = "lang")]
        public string? Language { get; set; }
    }

    private sealed class TwoTexts
    {
        [VectorStoreKey]
        public string Id { get; set; } = "";

        [VectorStoreData(StorageName = "text")]
        public string? Text { get; set; }

        [VectorStoreVector(3)]
        public string? Description { get; set; }
    }

    [Fact]
    public async Task The_text_property_option_names_the_record_text_and_keeps_it_out_of_metadata()
    {
        var store = new FaultInjectingVectorStore("sqlite");
        var notes = new RagFoodCollection<string, Note>(store, "notes", new RagFoodCollectionOptions { TextProperty = nameof(Note.Body) });

        await notes.UpsertAsync(new Note { Id = "n1", Body = "Udon are thick wheat noodles", Language = "en" });

        var stored = (await store.FetchAsync(new FetchRequest { Ids = ["n1"], Namespace = "notes" }))[0];
        Assert.Equal("Udon are thick wheat noodles", stored?.Text);
        Assert.Equal("""{"lang":"en"}""", stored?.Metadata?.GetRawText());
        Assert.Equal("Udon are thick wheat noodles", (await notes.GetAsync("n1"))?.Body);
    }

    [Fact]
    public void Two_properties_claiming_the_text_or_an_unknown_text_property_are_refused()
    {
        var store = new FaultInjectingVectorStore("sqlite");

        var two = Assert.Throws<NotSupportedException>(() => new RagFoodCollection<string, TwoTexts>(store, "x"));
        var unknown = Assert.Throws<ArgumentException>(() => new RagFoodCollection<string, Note>(store, "x", new RagFoodCollectionOptions { TextProperty = "Missing" }));

        Assert.Contains("keep one", two.Message);
        Assert.Contains("'Missing'", unknown.Message);
    }

    [Fact]
    public async Task A_store_failure_surfaces_as_an_mevd_exception_naming_store_collection_and_operation()
    {
        var store = new FaultInjectingVectorStore("upstash").FailTransiently(VectorStoreErrorKind.Unavailable, operations: ["Query"]);
        var foods = new RagFoodVectorStore(store).GetCollection<string, Food>("menu");

        var error = await Assert.ThrowsAsync<MevdException>(() => foods.SearchAsync("ramen", 3).ToListAsync().AsTask());

        Assert.Equal("upstash", error.VectorStoreSystemName);
        Assert.Equal("menu", error.CollectionName);
        Assert.Equal("Search", error.OperationName);
        var inner = Assert.IsType<RagFoodException>(error.InnerException);
        Assert.True(inner.IsTransient);
    }

    [Fact]
    public async Task An_untranslatable_filter_is_refused_before_the_store_is_called()
    {
        var store = new FaultInjectingVectorStore("upstash");
        var foods = new RagFoodVectorStore(store).GetCollection<string, Food>("menu");

        await Assert.ThrowsAsync<NotSupportedException>(() => foods.SearchAsync("ramen", 3, new() { Filter = r => r.Region == r.Type }).ToListAsync().AsTask());
        await Assert.ThrowsAsync<NotSupportedException>(() => foods.GetAsync(r => r.Region!.Trim() == "Japan", 3).ToListAsync().AsTask());

        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task Cancellation_passes_through_unwrapped()
    {
        var store = new FaultInjectingVectorStore("chroma").Hang();
        var foods = new RagFoodVectorStore(store).GetCollection<string, Food>("menu");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => foods.GetAsync("sushi", cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task Argument_errors_pass_through_unwrapped()
    {
        var foods = new RagFoodVectorStore(new FaultInjectingVectorStore("sqlite")).GetCollection<string, Food>("menu");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => foods.UpsertAsync(new Food { Id = "bad\nid", Text = "x" }));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => foods.UpsertAsync(new Food { Id = "empty" }));
    }

    [Fact]
    public void Non_string_keys_are_refused_at_construction()
    {
        var store = new RagFoodVectorStore(new FaultInjectingVectorStore("sqlite"));

        var keyType = Assert.Throws<NotSupportedException>(() => store.GetCollection<int, IntKeyed>("menu"));
        var guid = Assert.Throws<NotSupportedException>(() => store.GetCollection<Guid, Food>("menu"));

        Assert.Contains("RagFood record ids are strings", keyType.Message);
        Assert.Contains("'Guid'", guid.Message);
    }

    [Fact]
    public void Property_types_without_a_metadata_form_and_bad_names_are_refused_at_construction()
    {
        var store = new RagFoodVectorStore(new FaultInjectingVectorStore("sqlite"));

        Assert.ThrowsAny<Exception>(() => store.GetCollection<string, WithDate>("menu"));
        Assert.ThrowsAny<ArgumentException>(() => store.GetCollection<string, Food>("a/b"));
        Assert.Throws<NotSupportedException>(() => store.GetCollection<string, Dictionary<string, object?>>("menu"));
    }

    [Fact]
    public async Task The_registration_wraps_the_keyed_provider_store()
    {
        using var directory = new TempDirectory();
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(new WordHashEmbeddingGenerator(64));
        services.AddSqliteVectorStore(options => options.Path = directory.File("store.db"));
        services.AddRagFoodVectorStore(SqliteVectorStore.ProviderName);
        services.AddRagFoodVectorStore(SqliteVectorStore.ProviderName);
        services.AddRagFoodVectorStore(SqliteVectorStore.ProviderName, serviceKey: "embedded");
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var vectorStore = provider.GetRequiredService<VectorStore>();
        var keyed = provider.GetRequiredKeyedService<VectorStore>("embedded");

        Assert.Same(provider.GetRequiredService<RagFoodVectorStore>(), vectorStore);
        Assert.Same(provider.GetRequiredKeyedService<IVectorStore>(SqliteVectorStore.ProviderName), vectorStore.GetService(typeof(IVectorStore)));
        Assert.Same(vectorStore.GetService(typeof(IVectorStore)), keyed.GetService(typeof(IVectorStore)));
        Assert.Single(services, d => d.ServiceType == typeof(VectorStore) && !d.IsKeyedService);
        var foods = vectorStore.GetCollection<string, Food>("menu");
        await foods.UpsertAsync(new Food { Id = "pho", Text = "Pho is a noodle soup" });
        Assert.Equal("pho", (await foods.GetAsync("pho"))?.Id);
    }
}
