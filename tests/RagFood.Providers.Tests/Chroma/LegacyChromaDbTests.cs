using System.Text.Json;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>A small legacy-style chroma_db written the way the original Python app wrote it, through a real server.</summary>
/// <remarks>Collection <c>foods</c> with <c>hnsw:space</c> in its metadata and no RagFood keys, records with ids,
/// documents, flat metadata and vectors from a stand-in for mxbai-embed-large.</remarks>
public sealed class LegacyChromaDbFixture : IAsyncLifetime
{
    public const string CollectionName = "foods";

    private ChromaServer? _server;

    public ChromaServer Server => _server!;

    public WordHashEmbeddingGenerator Embedder { get; } = new(24);

    public IReadOnlyList<(string Id, string Text, Dictionary<string, object> Metadata)> Items { get; } =
    [
        ("1", "Biryani is a fragrant rice dish. This food is popular in India. It is a type of Main.", new() { ["region"] = "India", ["type"] = "Main" }),
        ("2", "Pho is a Vietnamese noodle soup. This food is popular in Vietnam. It is a type of Soup.", new() { ["region"] = "Vietnam", ["type"] = "Soup", ["spicy"] = false }),
        ("3", "Tiramisu is a coffee dessert. This food is popular in Italy. It is a type of Dessert.", new() { ["region"] = "Italy", ["type"] = "Dessert", ["calories"] = 450 }),
        ("4", "Falafel are fried chickpea balls. This food is popular in Egypt. It is a type of Snack.", new() { ["region"] = "Egypt", ["type"] = "Snack", ["rating"] = 4.5 }),
        ("5", "Pierogi are filled dumplings. This food is popular in Poland. It is a type of Main.", new() { ["region"] = "Poland", ["type"] = "Main" }),
    ];

    public async Task InitializeAsync()
    {
        _server = await ChromaServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(Server.Url, "/api/v2/tenants/default_tenant/databases/default_database/") };
        using var create = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "collections",
            new { name = CollectionName, metadata = new Dictionary<string, object> { ["hnsw:space"] = "cosine" } });
        create.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var add = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, $"collections/{id}/add", new
        {
            ids = Items.Select(i => i.Id).ToArray(),
            documents = Items.Select(i => i.Text).ToArray(),
            metadatas = Items.Select(i => i.Metadata).ToArray(),
            embeddings = Items.Select(i => Embedder.Embed(i.Text)).ToArray(),
        });
        add.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

public sealed class LegacyChromaDbTests(LegacyChromaDbFixture legacy) : IClassFixture<LegacyChromaDbFixture>
{
    [Fact]
    public async Task The_server_and_the_sqlite_file_agree_on_ids_documents_metadata_and_vectors()
    {
        await using var store = ChromaTestStore.Create(legacy.Server.Url, LegacyChromaDbFixture.CollectionName, legacy.Embedder,
            o => o.EmbeddingModel = legacy.Embedder.ModelId);
        var viaServer = new List<VectorRecord>();
        var cursor = "";
        do
        {
            var page = await store.Store.RangeAsync(new RangeRequest { Cursor = cursor, Limit = 2, Include = Include.All });
            viaServer.AddRange(page.Records);
            cursor = page.NextCursor;
        }
        while (cursor != "");

        await using var reader = await ChromaLegacyReader.OpenAsync(legacy.Server.DataDirectory);
        var viaFile = new List<VectorRecord>();
        await foreach (var record in reader.ReadRecordsAsync(LegacyChromaDbFixture.CollectionName))
        {
            viaFile.Add(record);
        }

        Assert.Equal(legacy.Items.Select(i => i.Id), viaFile.Select(r => r.Id));
        Assert.Equal(viaServer.Select(r => r.Id).Order(), viaFile.Select(r => r.Id).Order());
        foreach (var fromFile in viaFile)
        {
            var fromServer = viaServer.Single(r => r.Id == fromFile.Id);
            Assert.Equal(fromServer.Text, fromFile.Text);
            Assert.Equal(legacy.Items.Single(i => i.Id == fromFile.Id).Text, fromFile.Text);
            Assert.True(JsonElement.DeepEquals(fromServer.Metadata!.Value, fromFile.Metadata!.Value),
                $"{fromFile.Id}: server {fromServer.Metadata} vs file {fromFile.Metadata}");
            // The file holds the exact float32 bits that were written; the server's JSON rounds in the last digit.
            Assert.Equal(legacy.Embedder.Embed(fromFile.Text!), fromFile.Vector);
            Assert.Equal(fromServer.Vector!.Length, fromFile.Vector!.Length);
            for (var i = 0; i < fromFile.Vector.Length; i++)
            {
                Assert.Equal(fromServer.Vector[i], fromFile.Vector[i], 1e-6f);
            }
        }

        Assert.Equal(450, viaFile.Single(r => r.Id == "3").Metadata!.Value.GetProperty("calories").GetInt32());
        Assert.Equal(4.5, viaFile.Single(r => r.Id == "4").Metadata!.Value.GetProperty("rating").GetDouble());
        Assert.False(viaFile.Single(r => r.Id == "2").Metadata!.Value.GetProperty("spicy").GetBoolean());
    }

    [Fact]
    public async Task The_reader_describes_the_collection_as_the_server_does()
    {
        await using var store = ChromaTestStore.Create(legacy.Server.Url, LegacyChromaDbFixture.CollectionName, legacy.Embedder,
            o => o.EmbeddingModel = legacy.Embedder.ModelId);
        var info = await store.Store.GetInfoAsync();

        await using var reader = await ChromaLegacyReader.OpenAsync(Path.Combine(legacy.Server.DataDirectory, "chroma.sqlite3"));
        var collection = Assert.Single(await reader.ListCollectionsAsync());

        Assert.Equal(LegacyChromaDbFixture.CollectionName, collection.Name);
        Assert.Equal("default_database", collection.Database);
        Assert.Equal(ChromaSpace.Cosine, collection.Space);
        Assert.Equal(info.Dimension, collection.Dimension);
        Assert.Equal(info.Namespaces[""], collection.Count);
        Assert.Null(collection.EmbeddingModel);
        Assert.Equal(SimilarityFunction.Cosine, info.Similarity);
    }

    [Fact]
    public async Task Text_queries_on_the_legacy_collection_work_once_the_model_is_configured()
    {
        await using var store = ChromaTestStore.Create(legacy.Server.Url, LegacyChromaDbFixture.CollectionName, legacy.Embedder,
            o => o.EmbeddingModel = legacy.Embedder.ModelId);

        var matches = await store.Store.QueryAsync(new VectorQuery { Text = "coffee dessert", TopK = 2, Filter = RagFood.Core.Filtering.MetadataFilter.Parse("region = 'Italy'") });

        Assert.Equal("3", Assert.Single(matches).Id);
    }

    [Fact]
    public async Task The_newest_logged_vector_wins_a_metadata_only_update_keeps_it_and_a_delete_removes_the_record()
    {
        // A server of its own: the shared fixture's directory must keep exactly one collection.
        await using var server = await ChromaServer.StartAsync();
        var embedder = legacy.Embedder;
        using var http = new HttpClient { BaseAddress = new Uri(server.Url, "/api/v2/tenants/default_tenant/databases/default_database/") };
        using var create = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "collections", new { name = "edited" });
        create.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        async Task PostAsync(string verb, object body)
        {
            using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, $"collections/{id}/{verb}", body);
            Assert.True(response.IsSuccessStatusCode, $"{verb}: {await response.Content.ReadAsStringAsync()}");
        }

        await PostAsync("add", new
        {
            ids = new[] { "a", "b", "c" },
            documents = new[] { "first a", "first b", "first c" },
            embeddings = new[] { embedder.Embed("first a"), embedder.Embed("first b"), embedder.Embed("first c") },
        });
        await PostAsync("upsert", new { ids = new[] { "a" }, documents = new[] { "second a" }, embeddings = new[] { embedder.Embed("second a") } });
        await PostAsync("update", new { ids = new[] { "b" }, metadatas = new[] { new Dictionary<string, object> { ["region"] = "Peru" } } });
        await PostAsync("delete", new { ids = new[] { "c" } });

        await using var reader = await ChromaLegacyReader.OpenAsync(server.DataDirectory);
        var records = new Dictionary<string, VectorRecord>();
        await foreach (var record in reader.ReadRecordsAsync("edited"))
        {
            records[record.Id] = record;
        }

        Assert.Equal(["a", "b"], records.Keys.Order());
        Assert.Equal(embedder.Embed("second a"), records["a"].Vector);
        Assert.Equal(embedder.Embed("first b"), records["b"].Vector);
        Assert.Equal("Peru", records["b"].Metadata!.Value.GetProperty("region").GetString());
        await foreach (var record in reader.ReadRecordsAsync("edited", includeVectors: false))
        {
            Assert.Null(record.Vector);
        }
    }

    [Fact]
    public async Task Opening_a_directory_without_chroma_sqlite3_says_so()
    {
        var empty = Directory.CreateTempSubdirectory("ragfood-not-chroma-");
        try
        {
            var error = await Assert.ThrowsAsync<FileNotFoundException>(() => ChromaLegacyReader.OpenAsync(empty.FullName));
            Assert.Contains("chroma.sqlite3", error.Message);
        }
        finally
        {
            empty.Delete();
        }
    }
}
