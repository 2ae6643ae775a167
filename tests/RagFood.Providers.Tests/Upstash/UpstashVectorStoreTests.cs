using System.Text.Json;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Providers.Upstash;
using RagFood.UpstashEmulator;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>What the Upstash provider does beyond the shared contract: routing, batching, update, namespaces on the
/// wire, the full filter language and the errors Upstash answers, all over real HTTP to the emulator.</summary>
[Collection(UpstashCollection.Name)]
public sealed class UpstashVectorStoreTests(UpstashEmulatorFixture fixture) : IAsyncLifetime
{
    private readonly string _ns = "p" + Guid.NewGuid().ToString("N")[..10];
    private StoreHandle _handle = null!;

    private UpstashVectorStore Store => _handle.Store;

    private EmulatorStats Stats => fixture.Emulator.Admin.Stats;

    public Task InitializeAsync()
    {
        _handle = UpstashTestHost.CreateStore(fixture.Emulator);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _handle.DisposeAsync();

    [Fact]
    public async Task Text_records_go_to_upsert_data_and_vector_records_to_upsert()
    {
        var upsertsBefore = Stats.For("upsert");
        var dataBefore = Stats.For("upsert-data");

        await Store.UpsertAsync(new UpsertRequest([
            new VectorRecord("text") { Text = "Pho is a Vietnamese noodle soup" },
            new VectorRecord("vec") { Vector = Unit(5), Text = "stored verbatim" },
        ]) { Namespace = _ns });

        Assert.Equal(1, Stats.For("upsert") - upsertsBefore);
        Assert.Equal(1, Stats.For("upsert-data") - dataBefore);
        var fetched = await Store.FetchAsync(new FetchRequest { Ids = ["vec", "text"], Include = Include.All, Namespace = _ns });
        Assert.Equal("stored verbatim", fetched[0]?.Text);
        Assert.Equal(1f, fetched[0]!.Vector![5]);
        Assert.Equal(UpstashEmulatorFixture.Dimension, fetched[1]?.Vector?.Length);
    }

    [Fact]
    public async Task Large_upserts_are_split_into_batches_of_the_configured_size()
    {
        await using var handle = UpstashTestHost.CreateStore(fixture.Emulator, o => o.BatchSize = 3);
        var before = Stats.For("upsert-data");

        var result = await handle.Store.UpsertAsync(new UpsertRequest(
            Enumerable.Range(0, 7).Select(i => new VectorRecord($"r{i}") { Text = $"dish number {i}" }).ToList()) { Namespace = _ns });

        Assert.Equal(7, result.Upserted);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}"), result.WrittenIds);
        Assert.Equal(3, Stats.For("upsert-data") - before);
        Assert.Equal(7, (await handle.Store.GetInfoAsync()).Namespaces[_ns]);
    }

    [Fact]
    public async Task Text_queries_use_query_data_and_vector_queries_use_query()
    {
        await SeedAsync();
        var dataBefore = Stats.For("query-data");
        var queryBefore = Stats.For("query");

        var byText = await Store.QueryAsync(new VectorQuery { Text = "spicy lentil stew", TopK = 1, Namespace = _ns });
        var byVector = await Store.QueryAsync(new VectorQuery { Vector = Unit(7), TopK = 1, Namespace = _ns, Include = Include.None });

        Assert.Equal("dal", byText[0].Id);
        Assert.Single(byVector);
        Assert.Equal(1, Stats.For("query-data") - dataBefore);
        Assert.Equal(1, Stats.For("query") - queryBefore);
    }

    [Fact]
    public async Task Info_reports_the_embedding_model_the_index_declares()
    {
        var info = await Store.GetInfoAsync();

        Assert.Equal(fixture.ModelName, info.EmbeddingModel);
        Assert.Equal(UpstashEmulatorFixture.Dimension, info.Dimension);
        Assert.Equal(SimilarityFunction.Cosine, info.Similarity);
        Assert.Equal("upstash", info.Store);
    }

    [Fact]
    public async Task Info_of_an_index_without_a_hosted_model_reports_no_model()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 4, Similarity = EmulatedSimilarity.Euclidean });
        await using var handle = UpstashTestHost.CreateStore(emulator);

        var info = await handle.Store.GetInfoAsync();

        Assert.Equal("", info.EmbeddingModel);
        Assert.Equal(4, info.Dimension);
        Assert.Equal(SimilarityFunction.Euclidean, info.Similarity);
    }

    [Fact]
    public async Task Update_overwrites_or_patches_metadata_and_reports_unknown_ids()
    {
        await Store.UpsertAsync(new UpsertRequest([new VectorRecord("u") { Text = "Bibimbap", Metadata = Json("""{"a":1,"nested":{"x":1,"y":2},"keep":true}""") }]) { Namespace = _ns });

        Assert.True(await Store.UpdateAsync(new UpstashUpdate("u") { Metadata = Json("""{"a":null,"nested":{"y":3},"b":"new"}"""), PatchMetadata = true, Namespace = _ns }));
        var patched = (await Store.FetchAsync(new FetchRequest { Ids = ["u"], Namespace = _ns }))[0]!.Metadata!.Value;
        Assert.Equal("""{"nested":{"x":1,"y":3},"keep":true,"b":"new"}""", patched.GetRawText());

        Assert.True(await Store.UpdateAsync(new UpstashUpdate("u") { Metadata = Json("""{"only":1}"""), Namespace = _ns }));
        var overwritten = (await Store.FetchAsync(new FetchRequest { Ids = ["u"], Namespace = _ns }))[0]!;
        Assert.Equal("""{"only":1}""", overwritten.Metadata!.Value.GetRawText());
        Assert.Equal("Bibimbap", overwritten.Text);

        Assert.False(await Store.UpdateAsync(new UpstashUpdate("missing") { Text = "x", Namespace = _ns }));
    }

    [Fact]
    public async Task Updating_text_on_a_hosted_model_index_re_embeds_the_record()
    {
        await Store.UpsertAsync(new UpsertRequest([new VectorRecord("dish") { Text = "Ramen noodle soup" }]) { Namespace = _ns });
        var before = (await Store.FetchAsync(new FetchRequest { Ids = ["dish"], Include = Include.All, Namespace = _ns }))[0]!;

        await Store.UpdateAsync(new UpstashUpdate("dish") { Text = "Churros fried dough with chocolate", Namespace = _ns });

        var after = (await Store.FetchAsync(new FetchRequest { Ids = ["dish"], Include = Include.All, Namespace = _ns }))[0]!;
        Assert.Equal("Churros fried dough with chocolate", after.Text);
        Assert.NotEqual(before.Vector, after.Vector);
        var found = await Store.QueryAsync(new VectorQuery { Text = "churros chocolate", TopK = 1, Namespace = _ns });
        Assert.Equal("dish", found[0].Id);
    }

    [Fact]
    public async Task Namespaces_with_reserved_characters_are_escaped_on_the_wire()
    {
        // '/' is refused by the kernel's namespace rule (see the conformance suite); the rest must survive the URL.
        var ns = _ns + " a?b#c%dé&e+f";
        await Store.UpsertAsync(new UpsertRequest([new VectorRecord("x") { Text = "Falafel" }]) { Namespace = ns });

        Assert.Contains(ns, await Store.ListNamespacesAsync());
        Assert.Equal("Falafel", (await Store.FetchAsync(new FetchRequest { Ids = ["x"], Namespace = ns }))[0]?.Text);
        Assert.Equal(1, (await Store.GetInfoAsync()).Namespaces[ns]);
        Assert.True(await Store.DeleteNamespaceAsync(ns));
        Assert.DoesNotContain(ns, await Store.ListNamespacesAsync());
    }

    [Fact]
    public async Task The_configured_namespace_stands_in_for_the_default_namespace()
    {
        await using var handle = UpstashTestHost.CreateStore(fixture.Emulator, o => o.Namespace = _ns);

        await handle.Store.UpsertAsync(new UpsertRequest([new VectorRecord("c") { Text = "Ceviche" }]));

        Assert.Equal(1, (await Store.GetInfoAsync()).Namespaces[_ns]);
        Assert.Equal("Ceviche", (await handle.Store.FetchAsync(FetchRequest.ByIds("c")))[0]?.Text);
    }

    [Fact]
    public async Task Range_with_a_prefix_pages_to_the_end_in_insertion_order()
    {
        var ids = Enumerable.Range(0, 9).Select(i => $"{(i % 3 == 0 ? "keep" : "skip")}-{i}").ToList();
        await Store.UpsertAsync(new UpsertRequest(ids.Select(id => new VectorRecord(id) { Vector = Unit(1) }).ToList()) { Namespace = _ns });

        var seen = new List<string>();
        var cursor = "";
        var pages = 0;
        do
        {
            var page = await Store.RangeAsync(new RangeRequest { Cursor = cursor, Limit = 2, Prefix = "keep-", Namespace = _ns });
            seen.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor != "");

        Assert.Equal(["keep-0", "keep-3", "keep-6"], seen);
        Assert.Equal(2, pages);
    }

    [Theory]
    [InlineData("HAS FIELD origin.city", "dal,sushi")]
    [InlineData("HAS NOT FIELD origin", "plain")]
    [InlineData("tags[#-1] = 'spicy'", "dal")]
    [InlineData("tags[1] = 'spicy'", "dal")]
    [InlineData("vegan = true", "dal")]
    [InlineData("vegan = false", "sushi")]
    [InlineData("rating > 4.25", "sushi")]
    [InlineData("rating = 4", "dal")]
    [InlineData("name GLOB '[ds]*'", "dal,sushi")]
    [InlineData("name GLOB 'su?hi'", "sushi")]
    [InlineData("name NOT GLOB 'd*'", "sushi,plain")]
    [InlineData("name IN ('dal', 'plain')", "dal,plain")]
    [InlineData("tags CONTAINS 'fish' OR name = 'plain'", "sushi,plain")]
    [InlineData("origin.country != 'India' AND HAS FIELD origin", "sushi")]
    public async Task Every_filter_operator_reaches_upstash_as_text_and_selects_the_right_records(string filter, string expected)
    {
        await Store.UpsertAsync(new UpsertRequest([
            new VectorRecord("dal") { Text = "dal", Metadata = Json("""{"name":"dal","tags":["vegan","spicy"],"vegan":true,"rating":4,"origin":{"country":"India","city":"Delhi"}}""") },
            new VectorRecord("sushi") { Text = "sushi", Metadata = Json("""{"name":"sushi","tags":["fish"],"vegan":false,"rating":4.5,"origin":{"country":"Japan","city":"Tokyo"}}""") },
            new VectorRecord("plain") { Text = "plain", Metadata = Json("""{"name":"plain"}""") },
        ]) { Namespace = _ns });

        var matches = await Store.QueryAsync(new VectorQuery { Text = "food", TopK = 10, Filter = MetadataFilter.Parse(filter), Namespace = _ns });

        Assert.Equal(expected.Split(',').ToHashSet(), matches.Select(m => m.Id).ToHashSet());
    }

    [Fact]
    public async Task A_wrong_token_is_unauthenticated_and_the_message_never_contains_it()
    {
        const string secret = "sk-very-secret-token-value";
        await using var handle = UpstashTestHost.CreateStore(fixture.Emulator, o => o.Token = secret);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.GetInfoAsync());

        Assert.Equal(VectorStoreErrorKind.Unauthenticated, error.Kind);
        Assert.StartsWith("Upstash rejected the token (401)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task A_read_only_token_can_query_but_not_write()
    {
        await SeedAsync();
        await using var handle = UpstashTestHost.CreateStore(fixture.Emulator, o => o.Token = fixture.Emulator.ReadOnlyToken);

        var matches = await handle.Store.QueryAsync(new VectorQuery { Text = "sushi", TopK = 1, Namespace = _ns });
        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            handle.Store.UpsertAsync(new UpsertRequest([new VectorRecord("nope") { Text = "nope" }]) { Namespace = _ns }));

        Assert.Equal("sushi", matches[0].Id);
        Assert.Equal(VectorStoreErrorKind.Unauthenticated, error.Kind);
        Assert.Null((await Store.FetchAsync(new FetchRequest { Ids = ["nope"], Namespace = _ns }))[0]);
    }

    [Fact]
    public async Task A_vector_of_the_wrong_dimension_in_an_update_is_rejected_with_upstashs_message()
    {
        await SeedAsync();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            Store.UpdateAsync(new UpstashUpdate("dal") { Vector = [1f, 2f, 3f], Namespace = _ns }));

        Assert.Equal(VectorStoreErrorKind.InvalidRequest, error.Kind);
        Assert.Contains($"Invalid vector dimension: 3, expected: {UpstashEmulatorFixture.Dimension}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_on_an_index_without_a_hosted_model_is_a_failed_precondition()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 4 });
        await using var handle = UpstashTestHost.CreateStore(emulator);

        var upsert = await Assert.ThrowsAsync<VectorStoreException>(() =>
            handle.Store.UpsertAsync(new UpsertRequest([new VectorRecord("t") { Text = "Goulash" }])));
        var query = await Assert.ThrowsAsync<VectorStoreException>(() => handle.Store.QueryAsync(VectorQuery.ForText("Goulash")));

        Assert.Equal(VectorStoreErrorKind.FailedPrecondition, upsert.Kind);
        Assert.Contains("Embedding data for this index is not allowed", upsert.Message, StringComparison.Ordinal);
        Assert.Equal(VectorStoreErrorKind.FailedPrecondition, query.Kind);
    }

    [Fact]
    public async Task A_request_upstash_rejects_as_malformed_is_an_invalid_request()
    {
        var error = await Assert.ThrowsAsync<VectorStoreException>(() =>
            Store.RangeAsync(new RangeRequest { Cursor = "not-a-cursor", Limit = 5, Namespace = _ns }));

        Assert.Equal(VectorStoreErrorKind.InvalidRequest, error.Kind);
        Assert.Contains("(400)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_that_does_not_parse_fails_before_any_request()
    {
        var before = Stats.Requests;

        Assert.ThrowsAny<ArgumentException>(() => MetadataFilter.Parse("region = "));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.QueryAsync(new VectorQuery { Namespace = _ns, TopK = 3 }));

        Assert.Equal(before, Stats.Requests);
    }

    [Fact]
    public async Task The_store_is_registered_under_its_provider_name()
    {
        var keyed = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions
            .GetRequiredKeyedService<IVectorStore>(_handle.Services, UpstashVectorStore.ProviderName);

        Assert.Same(Store, keyed);
        Assert.Equal("upstash", keyed.Name);
        await Task.CompletedTask;
    }

    private async Task SeedAsync() =>
        await Store.UpsertAsync(new UpsertRequest([
            new VectorRecord("dal") { Text = "Dal is a spicy lentil stew", Metadata = Json("""{"region":"India"}""") },
            new VectorRecord("sushi") { Text = "Sushi is rice with raw fish", Metadata = Json("""{"region":"Japan"}""") },
        ]) { Namespace = _ns });

    private static float[] Unit(int hot)
    {
        var vector = new float[UpstashEmulatorFixture.Dimension];
        vector[hot] = 1f;
        return vector;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
