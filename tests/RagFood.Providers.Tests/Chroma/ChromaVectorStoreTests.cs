using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>Chroma-specific behaviour of <see cref="ChromaVectorStore"/> against a real Chroma server.</summary>
[Collection(ChromaServerCollection.Name)]
public sealed class ChromaVectorStoreTests(ChromaServerFixture fixture)
{
    private static VectorRecord Food(string id, string text, string? metadataJson = null) => new(id)
    {
        Text = text,
        Metadata = metadataJson is null ? null : JsonDocument.Parse(metadataJson).RootElement.Clone(),
    };

    [Fact]
    public async Task A_new_collection_is_cosine_and_records_the_embedding_model_and_dimension()
    {
        var name = ChromaServerFixture.UniqueCollection("meta");
        await using var store = fixture.CreateStore(name, new WordHashEmbeddingGenerator(48));

        await store.Store.UpsertAsync(new UpsertRequest([Food("a", "apple pie")]));

        var collection = await fixture.GetAsync("collections/" + name);
        Assert.Equal("cosine", collection.GetProperty("configuration_json").GetProperty("hnsw").GetProperty("space").GetString());
        Assert.Equal("test-word-hash-48", collection.GetProperty("metadata").GetProperty(ChromaVectorStore.EmbeddingModelKey).GetString());
        Assert.Equal(48, collection.GetProperty("metadata").GetProperty(ChromaVectorStore.DimensionKey).GetInt32());
        var info = await store.Store.GetInfoAsync();
        Assert.Equal("test-word-hash-48", info.EmbeddingModel);
        Assert.Equal(48, info.Dimension);
        Assert.Equal(1, info.Namespaces[""]);
    }

    [Fact]
    public async Task Namespaces_are_collections_named_after_the_configured_collection()
    {
        var name = ChromaServerFixture.UniqueCollection("ns");
        await using var store = fixture.CreateStore(name);

        await store.Store.UpsertAsync(new UpsertRequest([Food("a", "apple")]) { Namespace = "desserts" });
        await store.Store.UpsertAsync(new UpsertRequest([Food("b", "bread")]));

        var count = await fixture.GetAsync($"collections/{await fixture.CollectionIdAsync(name + "__ns__desserts")}/count");
        Assert.Equal(1, count.GetInt32());
        Assert.Equal(["", "desserts"], await store.Store.ListNamespacesAsync());
        Assert.Equal(name + "__ns__x", store.Chroma.CollectionNameFor("x"));
        Assert.Throws<ArgumentException>(() => store.Chroma.CollectionNameFor("no spaces"));
    }

    [Fact]
    public async Task Nested_metadata_is_flattened_to_json_text_in_chroma_and_restored_on_read()
    {
        var name = ChromaServerFixture.UniqueCollection("flat");
        await using var store = fixture.CreateStore(name);

        await store.Store.UpsertAsync(new UpsertRequest([Food("dal", "Dal is a lentil stew",
            """{"region":"India","price":8,"weight":1.5,"vegan":true,"tags":["spicy","vegan"],"origin":{"city":"Delhi"},"note":null}""")]));

        var raw = await fixture.PostAsync($"collections/{await fixture.CollectionIdAsync(name)}/get", new { ids = new[] { "dal" }, include = new[] { "metadatas" } });
        var stored = raw.GetProperty("metadatas")[0];
        Assert.Equal("""["spicy","vegan"]""", stored.GetProperty("tags").GetString());
        Assert.Equal("""{"city":"Delhi"}""", stored.GetProperty("origin").GetString());
        Assert.Equal(8, stored.GetProperty("price").GetInt32());
        var fetched = (await store.Store.FetchAsync(FetchRequest.ByIds("dal")))[0]!.Metadata!.Value;
        Assert.Equal("Delhi", fetched.GetProperty("origin").GetProperty("city").GetString());
        Assert.Equal("vegan", fetched.GetProperty("tags")[1].GetString());
        Assert.Equal(JsonValueKind.Null, fetched.GetProperty("note").ValueKind);
        Assert.Equal(1.5, fetched.GetProperty("weight").GetDouble());
        Assert.True(fetched.GetProperty("vegan").GetBoolean());
        Assert.False(fetched.TryGetProperty(ChromaMetadataCodec.JsonKeysKey, out _));
    }

    [Fact]
    public async Task Reserved_metadata_keys_are_refused()
    {
        await using var store = fixture.CreateStore(ChromaServerFixture.UniqueCollection("reserved"));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            store.Store.UpsertAsync(new UpsertRequest([Food("a", "apple", """{"chroma:document":"x"}""")])));
        Assert.Contains("chroma:document", error.Message);
    }

    [Fact]
    public async Task Upsert_in_several_batches_writes_every_record()
    {
        await using var store = fixture.CreateStore(ChromaServerFixture.UniqueCollection("batch"), configure: o => o.BatchSize = 7);
        var records = Enumerable.Range(0, 30).Select(i => Food($"r{i}", $"record number {i}")).ToArray();

        var result = await store.Store.UpsertAsync(new UpsertRequest(records));

        Assert.Equal(30, result.Upserted);
        Assert.Equal(records.Select(r => r.Id), result.WrittenIds);
        Assert.Equal(30, (await store.Store.GetInfoAsync()).Namespaces[""]);
    }

    [Theory]
    [InlineData("price = 8", "dal")]
    [InlineData("price = 8.0", "dal")]
    [InlineData("weight > 1.25", "dal")]
    [InlineData("vegan = true", "dal,mochi")]
    [InlineData("vegan != true", "sushi")]
    [InlineData("region IN ('Japan', 8)", "sushi,mochi")]
    [InlineData("price NOT IN (8, 'x')", "sushi,mochi")]
    [InlineData("region = 'Japan' AND (price < 6 OR vegan = false)", "sushi,mochi")]
    public async Task Translated_filters_select_the_same_records_as_core_evaluates(string filter, string expected)
    {
        await using var store = fixture.CreateStore(ChromaServerFixture.UniqueCollection("filter"));
        var records = new[]
        {
            Food("dal", "Dal is a lentil stew", """{"region":"India","price":8,"weight":1.5,"vegan":true}"""),
            Food("sushi", "Sushi is rice and fish", """{"region":"Japan","price":20,"weight":0.5,"vegan":false}"""),
            Food("mochi", "Mochi is a rice cake", """{"region":"Japan","price":5,"weight":0.2,"vegan":true}"""),
        };
        await store.Store.UpsertAsync(new UpsertRequest(records));
        var parsed = MetadataFilter.Parse(filter)!;

        var matches = await store.Store.QueryAsync(new VectorQuery { Text = "food", TopK = 10, Filter = parsed });
        var deletedCount = await store.Store.DeleteAsync(new DeleteRequest { Filter = parsed });

        var expectedIds = expected.Split(',').ToHashSet();
        Assert.Equal(expectedIds, matches.Select(m => m.Id).ToHashSet());
        Assert.Equal(expectedIds, records.Where(r => parsed.Matches(r.Metadata)).Select(r => r.Id).ToHashSet());
        Assert.Equal(expectedIds.Count, deletedCount);
    }

    [Theory]
    [InlineData("region GLOB 'J*'", "GLOB")]
    [InlineData("tags CONTAINS 'vegan'", "CONTAINS")]
    [InlineData("tags NOT CONTAINS 'vegan'", "NOT CONTAINS")]
    [InlineData("HAS FIELD region", "HAS FIELD")]
    [InlineData("origin.city = 'Delhi'", "nested field path")]
    [InlineData("tags[0] = 'spicy'", "array index")]
    public async Task Filters_chroma_cannot_express_are_refused_before_any_request_naming_operator_and_store(string filter, string op)
    {
        // The URL points at a closed port: any request would fail with Unavailable, not with the filter error.
        await using var store = ChromaTestStore.Create(new Uri("http://127.0.0.1:9"), "nothing", configure: o => o.RetryCount = 0);

        var error = await Assert.ThrowsAsync<FilterSyntaxException>(() =>
            store.Store.QueryAsync(new VectorQuery { Text = "food", Filter = MetadataFilter.Parse(filter) }));
        var deleteError = await Assert.ThrowsAsync<FilterSyntaxException>(() =>
            store.Store.DeleteAsync(new DeleteRequest { Filter = MetadataFilter.Parse(filter) }));

        Assert.Contains(op, error.Message, StringComparison.Ordinal);
        Assert.Contains("chroma", error.Message, StringComparison.Ordinal);
        Assert.Equal(op, error.Token);
        Assert.Equal(error.Message, deleteError.Message);
    }

    [Fact]
    public void Where_documents_use_chroma_operators_and_split_mixed_in_lists()
    {
        static string Where(string filter) => System.Text.Encoding.UTF8.GetString(ChromaWhereTranslator.Translate(MetadataFilter.Parse(filter)!));

        Assert.Equal("""{"region":{"$eq":"India"}}""", Where("region = 'India'"));
        Assert.Equal("""{"$and":[{"a":{"$ne":1}},{"b":{"$gte":2.5}}]}""", Where("a != 1 AND b >= 2.5"));
        Assert.Equal("""{"$or":[{"a":{"$lt":1}},{"a":{"$lte":2}},{"a":{"$gt":3}}]}""", Where("a < 1 OR a <= 2 OR a > 3"));
        Assert.Equal("""{"$or":[{"a":{"$in":["x"]}},{"a":{"$in":[1]}}]}""", Where("a IN ('x', 1)"));
        Assert.Equal("""{"$and":[{"a":{"$nin":["x"]}},{"a":{"$nin":[true]}}]}""", Where("a NOT IN ('x', true)"));
    }

    [Fact]
    public async Task Scores_follow_the_documented_formulas_from_chromas_own_distances_in_every_space()
    {
        float[][] vectors = [[1, 0, 0, 0], [0.6f, 0.8f, 0, 0], [0, 1, 0, 0], [-1, 0, 0, 0], [0.5f, 0.5f, 0.5f, 0.5f]];
        float[] probe = [0.8f, 0.6f, 0, 0];
        foreach (var (spaceName, space) in new[] { ("cosine", ChromaSpace.Cosine), ("l2", ChromaSpace.L2), ("ip", ChromaSpace.InnerProduct) })
        {
            var name = ChromaServerFixture.UniqueCollection("score" + spaceName);
            await using var store = fixture.CreateStore(name, new WordHashEmbeddingGenerator(4), o => o.Space = spaceName);
            await store.Store.UpsertAsync(new UpsertRequest(vectors.Select((v, i) => new VectorRecord($"v{i}") { Vector = v }).ToList()));

            var matches = await store.Store.QueryAsync(new VectorQuery { Vector = probe, TopK = 5 });
            var raw = await fixture.PostAsync($"collections/{await fixture.CollectionIdAsync(name)}/query",
                new { query_embeddings = new[] { probe }, n_results = 5, include = new[] { "distances" } });

            var rawIds = raw.GetProperty("ids")[0].EnumerateArray().Select(e => e.GetString()).ToList();
            var rawDistances = raw.GetProperty("distances")[0].EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal(rawIds, matches.Select(m => m.Id));
            for (var i = 0; i < matches.Count; i++)
            {
                var distance = rawDistances[i];
                Assert.Equal(distance, matches[i].RawScore!.Value, 6);
                var vector = vectors[int.Parse(matches[i].Id[1..], System.Globalization.CultureInfo.InvariantCulture)];
                var dot = vector.Zip(probe, (a, b) => (double)a * b).Sum();
                // l2 scores on the cosine rule too (the one relevance scale); the raw value stays Chroma's distance.
                var expected = space switch
                {
                    ChromaSpace.Cosine or ChromaSpace.L2 => (1 + dot / (Norm(vector) * Norm(probe))) / 2,
                    _ => Math.Clamp((1 + dot) / 2, 0, 1),
                };
                Assert.Equal(expected, matches[i].Score, 4);
                Assert.InRange(matches[i].Score, 0f, 1f);
            }

            Assert.Equal(space.ToSimilarity(), (await store.Store.GetInfoAsync()).Similarity);
        }

        static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
    }

    [Fact]
    public async Task A_store_with_a_different_embedder_refuses_text_queries_and_writes_naming_both_models()
    {
        var name = ChromaServerFixture.UniqueCollection("mismatch");
        await using (var writer = fixture.CreateStore(name, new WordHashEmbeddingGenerator(64)))
        {
            await writer.Store.UpsertAsync(new UpsertRequest([Food("a", "apple pie")]));
        }

        await using var other = fixture.CreateStore(name, new WordHashEmbeddingGenerator(32));
        var query = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => other.Store.QueryAsync(VectorQuery.ForText("apple")));
        var write = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => other.Store.UpsertAsync(new UpsertRequest([Food("b", "banana")])));

        Assert.Equal("test-word-hash-64", query.Expected.Model);
        Assert.Equal("test-word-hash-32", query.Actual.Model);
        Assert.Contains("test-word-hash-64", query.Message);
        Assert.Contains("test-word-hash-32", query.Message);
        Assert.Equal(VectorStoreErrorKind.FailedPrecondition, write.Kind);
        Assert.Equal(1, (await other.Store.GetInfoAsync()).Namespaces[""]);
    }

    [Fact]
    public async Task A_legacy_collection_that_recorded_no_model_needs_the_embedding_model_option_for_text_queries()
    {
        var name = ChromaServerFixture.UniqueCollection("legacy");
        var embedder = new WordHashEmbeddingGenerator(16);
        var created = await fixture.PostAsync("collections", new { name, metadata = new Dictionary<string, object> { ["hnsw:space"] = "cosine" } });
        await fixture.PostAsync($"collections/{created.GetProperty("id").GetString()}/add",
            new { ids = new[] { "old" }, embeddings = new[] { embedder.Embed("old apple pie") }, documents = new[] { "old apple pie" } });

        await using var unset = fixture.CreateStore(name, embedder);
        var refused = await Assert.ThrowsAsync<VectorStoreException>(() => unset.Store.QueryAsync(VectorQuery.ForText("apple")));
        Assert.Equal(VectorStoreErrorKind.FailedPrecondition, refused.Kind);
        Assert.Contains("VectorStore:Chroma:EmbeddingModel", refused.Message);

        await using var wrong = fixture.CreateStore(name, embedder, o => o.EmbeddingModel = "mxbai-embed-large");
        await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => wrong.Store.QueryAsync(VectorQuery.ForText("apple")));

        await using var right = fixture.CreateStore(name, embedder, o => o.EmbeddingModel = embedder.ModelId);
        var matches = await right.Store.QueryAsync(VectorQuery.ForText("old apple pie"));
        Assert.Equal("old", Assert.Single(matches).Id);
        Assert.Equal(1f, matches[0].Score, 4);
    }

    [Fact]
    public async Task Chromas_dimension_error_becomes_an_invalid_request_with_chromas_message()
    {
        var name = ChromaServerFixture.UniqueCollection("dim");
        var created = await fixture.PostAsync("collections", new { name });
        await using var store = fixture.CreateStore(name);
        // The store looks the empty collection up (no dimension yet); then someone else writes 3-d vectors.
        Assert.Empty(await store.Store.QueryAsync(VectorQuery.ForVector([1, 0, 0, 0])));
        await fixture.PostAsync($"collections/{created.GetProperty("id").GetString()}/add", new { ids = new[] { "x" }, embeddings = new[] { new[] { 1f, 0, 0 } } });

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            store.Store.UpsertAsync(new UpsertRequest([new VectorRecord("y") { Vector = [1, 0, 0, 0] }])));

        Assert.Equal(VectorStoreErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("dimension", error.Message);
        Assert.Equal("chroma", error.StoreName);
    }

    [Fact]
    public async Task Chroma_error_bodies_become_typed_errors()
    {
        await using var store = fixture.CreateStore("unused");
        var client = new ChromaRestClient(
            store.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ChromaVectorStore.HttpClientName),
            "chroma",
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var name = ChromaServerFixture.UniqueCollection("errors");
        var id = (await fixture.PostAsync("collections", new { name })).GetProperty("id").GetString();
        var db = "tenants/default_tenant/databases/default_database/";

        var missing = await Assert.ThrowsAsync<VectorStoreException>(() =>
            client.SendAsync(HttpMethod.Get, db + "collections/00000000-0000-0000-0000-000000000001/count", null, false, default));
        var badWhere = await Assert.ThrowsAsync<VectorStoreException>(() =>
            client.SendAsync(HttpMethod.Post, $"{db}collections/{id}/get", w => w.WriteRawValue("""{"where":{"a":{"$regex":"x"}}}"""), false, default));

        Assert.Equal(VectorStoreErrorKind.NotFound, missing.Kind);
        Assert.Contains("does not exist", missing.Message);
        Assert.Equal(VectorStoreErrorKind.InvalidRequest, badWhere.Kind);
        Assert.Contains("where", badWhere.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_collection_deleted_behind_the_stores_back_is_looked_up_again()
    {
        var name = ChromaServerFixture.UniqueCollection("vanish");
        await using var store = fixture.CreateStore(name);
        await store.Store.UpsertAsync(new UpsertRequest([Food("a", "apple")]));
        using (var response = await fixture.Http.DeleteAsync("collections/" + name))
        {
            response.EnsureSuccessStatusCode();
        }

        Assert.Null((await store.Store.FetchAsync(FetchRequest.ByIds("a")))[0]);
        await store.Store.UpsertAsync(new UpsertRequest([Food("b", "bread")]));
        Assert.Equal("bread", (await store.Store.FetchAsync(FetchRequest.ByIds("b")))[0]?.Text);
    }

    [Fact]
    public async Task Range_with_a_prefix_pages_through_matching_ids_only()
    {
        await using var store = fixture.CreateStore(ChromaServerFixture.UniqueCollection("range"));
        var records = Enumerable.Range(0, 12).Select(i => Food((i % 2 == 0 ? "even-" : "odd-") + i, "number " + i)).ToArray();
        await store.Store.UpsertAsync(new UpsertRequest(records));

        var seen = new List<string>();
        var cursor = "";
        var pages = 0;
        do
        {
            var page = await store.Store.RangeAsync(new RangeRequest { Cursor = cursor, Limit = 4, Prefix = "even-" });
            seen.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor != "");

        Assert.Equal(2, pages);
        Assert.Equal(records.Where(r => r.Id.StartsWith("even-", StringComparison.Ordinal)).Select(r => r.Id), seen);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.Store.RangeAsync(new RangeRequest { Cursor = "not-a-number" }));
    }

    [Fact]
    public async Task A_closed_port_is_a_transient_unavailable_error()
    {
        await using var store = ChromaTestStore.Create(new Uri("http://127.0.0.1:9"), "nothing", configure: o => o.RetryCount = 1);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.Store.QueryAsync(VectorQuery.ForText("rice")));

        Assert.Equal(VectorStoreErrorKind.Unavailable, error.Kind);
        Assert.True(error.IsTransient);
        Assert.Equal("chroma", error.StoreName);
    }

    [Fact]
    public void Options_are_validated_at_start()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(new WordHashEmbeddingGenerator());
        services.AddChromaVectorStore(o =>
        {
            o.Collection = "x";
            o.Space = "manhattan";
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ChromaVectorStoreOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("Collection", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Space", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_bind_from_the_vector_store_chroma_section()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["VectorStore:Chroma:Url"] = "http://chroma.internal:8000",
                ["VectorStore:Chroma:Collection"] = "legacy_foods",
                ["VectorStore:Chroma:EmbeddingModel"] = "mxbai-embed-large",
                ["VectorStore:Chroma:Timeout"] = "00:00:05",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(new WordHashEmbeddingGenerator());
        services.AddChromaVectorStore(configuration.GetSection("VectorStore:Chroma"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ChromaVectorStoreOptions>>().Value;

        Assert.Equal(new Uri("http://chroma.internal:8000"), options.Url);
        Assert.Equal("legacy_foods", options.Collection);
        Assert.Equal("mxbai-embed-large", options.EmbeddingModel);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal("default_tenant", options.Tenant);
        Assert.Same(provider.GetRequiredService<ChromaVectorStore>(), provider.GetRequiredKeyedService<IVectorStore>("chroma"));
    }

    [Fact]
    public async Task Json_posted_by_the_fixture_reaches_the_server()
    {
        // Guards the raw-HTTP helpers the other tests rely on: a wrong base address would make them vacuous.
        using var response = await fixture.Http.GetAsync(new Uri(fixture.Server.Url, "/api/v2/version"));
        Assert.Equal("\"1.0.0\"", await response.Content.ReadAsStringAsync());
        var created = await fixture.PostAsync("collections", new { name = ChromaServerFixture.UniqueCollection("probe") });
        Assert.False(string.IsNullOrEmpty(created.GetProperty("id").GetString()));
    }
}
