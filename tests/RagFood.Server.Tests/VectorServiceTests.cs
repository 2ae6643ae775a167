using Google.Protobuf.WellKnownTypes;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class VectorServiceTests(ServerFixture fixture)
{
    private VectorService.VectorServiceClient Client => fixture.Host.Vector;

    [Fact]
    public async Task Query_by_text_ranks_the_closest_food_first_and_names_the_store()
    {
        var reply = await Client.QueryAsync(new QueryRequest { Text = "lentil stew with turmeric", TopK = 3 });

        Assert.Equal("dal", reply.Matches[0].Id);
        Assert.InRange(reply.Matches[0].Score, 0f, 1f);
        Assert.True(reply.Matches[0].Score >= reply.Matches[^1].Score);
        Assert.Equal("India", reply.Matches[0].Metadata.Fields["region"].StringValue);
        Assert.Contains("lentils", reply.Matches[0].Text);
        Assert.Empty(reply.Matches[0].Vector);
        Assert.Equal("sqlite", reply.ServedBy);
        Assert.False(reply.FallbackUsed);
        Assert.NotEmpty(reply.EmbeddingModel);
    }

    [Fact]
    public async Task Query_with_a_filter_returns_only_matching_records()
    {
        var reply = await Client.QueryAsync(new QueryRequest { Text = "sweet dessert", TopK = 10, Filter = "region = 'Japan'" });

        Assert.NotEmpty(reply.Matches);
        Assert.All(reply.Matches, m => Assert.Equal("Japan", m.Metadata.Fields["region"].StringValue));
    }

    [Fact]
    public async Task Query_by_a_stored_vector_finds_that_record_first()
    {
        var fetched = await Client.FetchAsync(new FetchRequest { Ids = { "sushi" }, IncludeVectors = true });
        var vector = fetched.Results[0].Record.Vector;

        var reply = await Client.QueryAsync(new QueryRequest { Vector = { vector }, TopK = 2, IncludeText = false, IncludeMetadata = false });

        Assert.Equal("sushi", reply.Matches[0].Id);
        Assert.True(reply.Matches[0].Score > 0.99f);
        Assert.False(reply.Matches[0].HasText);
        Assert.Null(reply.Matches[0].Metadata);
    }

    [Fact]
    public async Task Upsert_then_fetch_by_ids_returns_results_aligned_with_the_request()
    {
        const string ns = "upsert-fetch";
        var upsert = await Client.UpsertAsync(new UpsertRequest
        {
            Namespace = ns,
            Records =
            {
                new VectorRecord { Id = "pho", Text = "Pho is a Vietnamese noodle soup with beef and herbs.", Metadata = Meta(("region", "Vietnam")) },
                new VectorRecord { Id = "ramen", Text = "Ramen is a Japanese noodle soup.", Metadata = Meta(("region", "Japan"), ("spicy", false)) },
            },
        });

        var fetched = await Client.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "ramen", "missing", "pho" } });

        Assert.Equal(2, upsert.Upserted);
        Assert.Equal("sqlite", upsert.ServedBy);
        Assert.Equal(["ramen", "missing", "pho"], fetched.Results.Select(r => r.Id));
        Assert.Equal([true, false, true], fetched.Results.Select(r => r.Found));
        Assert.Equal("Ramen is a Japanese noodle soup.", fetched.Results[0].Record.Text);
        Assert.False(fetched.Results[0].Record.Metadata.Fields["spicy"].BoolValue);
        Assert.Null(fetched.Results[1].Record);
    }

    [Fact]
    public async Task Fetch_by_prefix_returns_every_record_whose_id_starts_with_it()
    {
        const string ns = "fetch-prefix";
        await Client.UpsertAsync(new UpsertRequest
        {
            Namespace = ns,
            Records = { Record("fruit:apple", "Apple"), Record("fruit:pear", "Pear"), Record("veg:leek", "Leek") },
        });

        var fetched = await Client.FetchAsync(new FetchRequest { Namespace = ns, Prefix = "fruit:" });

        Assert.Equal(["fruit:apple", "fruit:pear"], fetched.Results.Select(r => r.Id).Order());
        Assert.All(fetched.Results, r => Assert.True(r.Found));
    }

    [Fact]
    public async Task Delete_removes_by_ids_by_prefix_and_by_filter()
    {
        const string ns = "delete-kinds";
        await Client.UpsertAsync(new UpsertRequest
        {
            Namespace = ns,
            Records =
            {
                Record("a1", "one", ("kind", "x")), Record("a2", "two", ("kind", "x")),
                Record("b1", "three", ("kind", "y")), Record("c1", "four", ("kind", "z")),
            },
        });

        var byIds = await Client.DeleteAsync(new DeleteRequest { Namespace = ns, Ids = { "c1", "nope" } });
        var byPrefix = await Client.DeleteAsync(new DeleteRequest { Namespace = ns, Prefix = "a" });
        var byFilter = await Client.DeleteAsync(new DeleteRequest { Namespace = ns, Filter = "kind = 'y'" });
        var left = await Client.RangeAsync(new RangeRequest { Namespace = ns, Limit = 10 });

        Assert.Equal(1, byIds.Deleted);
        Assert.Equal(2, byPrefix.Deleted);
        Assert.Equal(1, byFilter.Deleted);
        Assert.Empty(left.Records);
    }

    [Fact]
    public async Task Range_pages_through_a_namespace_until_the_cursor_is_empty()
    {
        const string ns = "range-pages";
        await Client.UpsertAsync(new UpsertRequest { Namespace = ns, Records = { Enumerable.Range(0, 7).Select(i => Record($"r{i}", $"item {i}")) } });

        var ids = new List<string>();
        var cursor = "";
        var pages = 0;
        do
        {
            var page = await Client.RangeAsync(new RangeRequest { Namespace = ns, Cursor = cursor, Limit = 3 });
            ids.AddRange(page.Records.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor.Length > 0 && pages < 10);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}").Order(), ids.Order());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Info_reports_the_store_its_embedding_space_and_namespace_counts()
    {
        var info = await Client.InfoAsync(new InfoRequest());

        Assert.Equal("sqlite", info.Store);
        Assert.Equal(1024, info.Dimension);
        Assert.Equal("COSINE", info.Similarity);
        Assert.StartsWith("ragfood-hashing", info.EmbeddingModel);
        Assert.Equal("", info.FallbackStore);
        Assert.Equal("PRIMARY", info.WriteMode);
        Assert.Equal(TestCorpus.Count, info.Namespaces.Single(n => n.Name == "").VectorCount);
        Assert.True(info.VectorCount >= TestCorpus.Count);
    }

    [Fact]
    public async Task Namespaces_are_listed_reset_and_deleted()
    {
        const string ns = "short-lived";
        await Client.UpsertAsync(new UpsertRequest { Namespace = ns, Records = { Record("x", "something") } });

        var listed = await Client.ListNamespacesAsync(new ListNamespacesRequest());
        await Client.ResetAsync(new ResetRequest { Namespace = ns });
        var afterReset = await Client.RangeAsync(new RangeRequest { Namespace = ns, Limit = 10 });
        var deleted = await Client.DeleteNamespaceAsync(new DeleteNamespaceRequest { Namespace = ns });
        var listedAfter = await Client.ListNamespacesAsync(new ListNamespacesRequest());

        Assert.Contains("", listed.Namespaces);
        Assert.Contains(ns, listed.Namespaces);
        Assert.Empty(afterReset.Records);
        Assert.True(deleted.Deleted);
        Assert.DoesNotContain(ns, listedAfter.Namespaces);
        Assert.Contains("", listedAfter.Namespaces);
    }

    internal static VectorRecord Record(string id, string text, params (string Key, object Value)[] metadata) =>
        new() { Id = id, Text = text, Metadata = metadata.Length == 0 ? null : Meta(metadata) };

    internal static Struct Meta(params (string Key, object Value)[] fields)
    {
        var result = new Struct();
        foreach (var (key, value) in fields)
        {
            result.Fields[key] = value switch
            {
                string s => Value.ForString(s),
                bool b => Value.ForBool(b),
                int i => Value.ForNumber(i),
                double d => Value.ForNumber(d),
                _ => throw new ArgumentException($"unsupported metadata value {value}"),
            };
        }

        return result;
    }
}
