using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RagFood.Client.Tests.Support;
using RagFood.Contracts.V1;

namespace RagFood.Client.Tests;

/// <summary>The typed client against the real server on loopback.</summary>
[Collection(ServerCollection.Name)]
public sealed class RagFoodClientTests(ServerFixture fixture)
{
    private static string NewNamespace() => "t-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Ping_round_trips_the_payload()
    {
        using var client = fixture.CreateClient();

        var response = await client.PingAsync("hello");

        Assert.Equal("hello", response.Payload);
    }

    [Fact]
    public async Task Info_reports_the_embedded_store_and_the_ingested_corpus()
    {
        using var client = fixture.CreateClient();

        var info = await client.InfoAsync();

        Assert.Equal("sqlite", info.Store);
        Assert.True(info.Dimension > 0);
        Assert.False(string.IsNullOrEmpty(info.EmbeddingModel));
        Assert.Contains(info.Namespaces, n => n.Name.Length == 0 && n.VectorCount >= ServerFixture.CorpusSize);
    }

    [Fact]
    public async Task Query_by_text_returns_the_closest_records_best_first_with_scores_in_the_unit_interval()
    {
        using var client = fixture.CreateClient();

        var response = await client.QueryAsync("fragrant spiced rice dish with saffron", 3);

        Assert.Equal(3, response.Matches.Count);
        Assert.Equal("1", response.Matches[0].Id);
        Assert.All(response.Matches, m => Assert.InRange(m.Score, 0f, 1f));
        Assert.True(response.Matches[0].Score >= response.Matches[1].Score);
        Assert.Equal("sqlite", response.ServedBy);
    }

    [Fact]
    public async Task Query_with_a_filter_returns_only_matching_records()
    {
        using var client = fixture.CreateClient();

        var response = await client.QueryAsync(new QueryRequest { Text = "sweet dessert", TopK = 10, Filter = "region = 'Japan'" });

        Assert.NotEmpty(response.Matches);
        Assert.All(response.Matches, m => Assert.Equal("Japan", m.Metadata.Fields["region"].StringValue));
    }

    [Fact]
    public async Task A_malformed_filter_surfaces_as_InvalidArgument_with_the_servers_message()
    {
        using var client = fixture.CreateClient();

        var ex = await Assert.ThrowsAsync<RagFoodException>(() => client.QueryAsync(new QueryRequest { Text = "rice", Filter = "region = = 'x'" }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.Detail));
        Assert.Equal(ex.Detail, ex.Message);
        Assert.IsType<RpcException>(ex.InnerException);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task Upserted_records_can_be_fetched_paged_and_deleted()
    {
        using var client = fixture.CreateClient();
        var ns = NewNamespace();
        var upsert = new UpsertRequest { Namespace = ns };
        for (var i = 0; i < 5; i++)
        {
            upsert.Records.Add(new VectorRecord
            {
                Id = $"r{i}",
                Text = $"test food number {i} with noodles",
                Metadata = new Struct { Fields = { ["n"] = Value.ForNumber(i) } },
            });
        }

        var upserted = await client.UpsertAsync(upsert);
        var fetched = await client.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "r1", "missing" } });
        var all = new List<VectorRecord>();
        await foreach (var record in client.RangeAllAsync(new RangeRequest { Namespace = ns, Limit = 2 }))
        {
            all.Add(record);
        }

        var deleted = await client.DeleteAsync(new DeleteRequest { Namespace = ns, Ids = { "r1", "r2" } });
        var afterDelete = await client.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "r1" } });

        Assert.Equal(5, upserted.Upserted);
        Assert.Equal(2, fetched.Results.Count);
        Assert.True(fetched.Results[0].Found);
        Assert.Equal("test food number 1 with noodles", fetched.Results[0].Record.Text);
        Assert.False(fetched.Results[1].Found);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], all.Select(r => r.Id).Order().ToArray());
        Assert.Equal(2, deleted.Deleted);
        Assert.False(afterDelete.Results[0].Found);
    }

    [Fact]
    public async Task Ingest_writes_usable_items_and_reports_the_unusable_ones()
    {
        using var client = fixture.CreateClient();
        var ns = NewNamespace();
        var request = new IngestRequest { Namespace = ns };
        request.Items.Add(Struct.Parser.ParseJson("""{"id":"a","text":"Falafel are fried chickpea balls.","region":"Egypt","type":"Street Food"}"""));
        request.Items.Add(Struct.Parser.ParseJson("""{"id":"b","name":"Borscht","description":"Borscht is a beet soup.","origin":"Ukraine","category":"Soup"}"""));
        request.Items.Add(Struct.Parser.ParseJson("""{"id":"c","region":"Nowhere"}"""));

        var first = await client.IngestAsync(request);
        var second = await client.IngestAsync(request);

        Assert.Equal(2, first.Written);
        var problem = Assert.Single(first.Problems);
        Assert.Equal(2, problem.Index);
        Assert.Equal("c", problem.Id);
        Assert.False(string.IsNullOrWhiteSpace(problem.Reason));
        Assert.Equal(0, second.Written);
        Assert.Equal(2, second.Unchanged);
    }

    [Fact]
    public async Task Namespaces_are_listed_reset_and_deleted()
    {
        using var client = fixture.CreateClient();
        var ns = NewNamespace();
        await client.UpsertAsync(new UpsertRequest { Namespace = ns, Records = { new VectorRecord { Id = "x", Text = "plain rice" } } });

        var listed = await client.ListNamespacesAsync();
        await client.ResetAsync(new ResetRequest { Namespace = ns });
        var afterReset = await client.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "x" } });
        var deleted = await client.DeleteNamespaceAsync(ns);
        var afterDelete = await client.ListNamespacesAsync();

        Assert.Contains(ns, listed.Namespaces);
        Assert.Contains("", listed.Namespaces);
        Assert.False(afterReset.Results[0].Found);
        Assert.True(deleted.Deleted);
        Assert.DoesNotContain(ns, afterDelete.Namespaces);
    }

    [Fact]
    public async Task Ask_answers_with_sources_and_says_how_the_answer_was_made()
    {
        using var client = fixture.CreateClient();

        var response = await client.AskAsync(new AskRequest { Question = "What is sushi made of?", TopK = 2 });

        Assert.False(string.IsNullOrWhiteSpace(response.Answer));
        // top_k is an upper bound: records under the embedding space's relevance floor are not sources.
        Assert.InRange(response.Sources.Count, 1, 2);
        Assert.All(response.Sources, s => Assert.True(s.Score >= response.RelevanceFloor));
        Assert.Equal("3", response.Sources[0].Id);
        Assert.NotEqual(AnswerMode.Unspecified, response.Mode);
        Assert.Equal("sqlite", response.ServedBy);
    }

    [Fact]
    public async Task AskStream_yields_sources_then_tokens_then_one_summary_that_matches_the_tokens()
    {
        using var client = fixture.CreateClient();
        var events = new List<AnswerEvent>();

        await foreach (var item in client.AskStreamAsync("Tell me about tacos"))
        {
            events.Add(item);
        }

        var sources = Assert.IsType<AnswerSourcesEvent>(events[0]);
        var summary = Assert.IsType<AnswerSummaryEvent>(events[^1]);
        var tokens = events.Skip(1).SkipLast(1).ToList();
        Assert.All(tokens, t => Assert.IsType<AnswerTokenEvent>(t));
        Assert.Equal("5", sources.Sources[0].Id);
        Assert.False(string.IsNullOrWhiteSpace(summary.Answer));
        if (tokens.Count > 0)
        {
            Assert.Equal(summary.Answer, string.Concat(tokens.Cast<AnswerTokenEvent>().Select(t => t.Text)));
        }
    }

    [Fact]
    public async Task Cancelling_the_token_surfaces_as_OperationCanceledException_not_as_an_error()
    {
        using var client = fixture.CreateClient();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.QueryAsync("rice", 3, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.AskStreamAsync("rice", cts.Token))
            {
            }
        });
    }

    [Fact]
    public async Task The_default_deadline_applies_to_calls_that_carry_none()
    {
        // A deadline of one tick has passed before the request leaves the process.
        using var client = fixture.CreateClient(o => o.DefaultDeadline = TimeSpan.FromTicks(1));

        var ex = await Assert.ThrowsAsync<RagFoodException>(() => client.PingAsync());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task One_client_serves_many_concurrent_calls()
    {
        using var client = fixture.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => client.PingAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        Assert.Equal(Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), responses.Select(r => r.Payload));
    }
}
