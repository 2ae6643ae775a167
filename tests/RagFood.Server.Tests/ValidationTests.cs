using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>Bad requests are InvalidArgument with a message that says what to change, and the server keeps serving.</summary>
[Collection(ServerCollection.Name)]
public sealed class ValidationTests(ServerFixture fixture)
{
    private VectorService.VectorServiceClient Vector => fixture.Host.Vector;

    private RagService.RagServiceClient Rag => fixture.Host.Rag;

    public static TheoryData<string, AskRequest, string> BadAsks => new()
    {
        { "empty question", new AskRequest { Question = "" }, "question is empty" },
        { "blank question", new AskRequest { Question = "   " }, "question is empty" },
        { "question too long", new AskRequest { Question = new string('a', 2001) }, "limit is 2000" },
        { "top_k too large", new AskRequest { Question = "rice", TopK = 21 }, "use 1 to 20" },
        { "negative top_k", new AskRequest { Question = "rice", TopK = -1 }, "use 1 to 20" },
        { "bad filter", new AskRequest { Question = "rice", Filter = "region = " }, "filter is not valid" },
        { "namespace too long", new AskRequest { Question = "rice", Namespace = new string('n', 257) }, "limit is 256" },
    };

    [Theory]
    [MemberData(nameof(BadAsks))]
    public async Task Ask_rejects_bad_input_as_invalid_argument(string because, AskRequest request, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Rag.AskAsync(request).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, because);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskStream_rejects_an_empty_question_before_streaming()
    {
        using var call = Rag.AskStream(new AskStreamRequest { Question = "" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_malformed_filter_is_reported_with_its_position()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.QueryAsync(new QueryRequest { Text = "rice", Filter = "region = 'India' AND AND" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("filter is not valid", error.Status.Detail, StringComparison.Ordinal);
        Assert.Matches("position|offset|column|at \\d+", error.Status.Detail);
    }

    public static TheoryData<string, QueryRequest, string> BadQueries => new()
    {
        { "neither text nor vector", new QueryRequest(), "send text" },
        { "both text and vector", new QueryRequest { Text = "rice", Vector = { 1f, 2f } }, "not both" },
        { "text too long", new QueryRequest { Text = new string('a', 8001) }, "limit is 8000" },
        { "top_k too large", new QueryRequest { Text = "rice", TopK = 101 }, "use 1 to 100" },
        { "wrong vector dimension", new QueryRequest { Vector = { 1f, 2f, 3f } }, "expects 1024" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Query_rejects_bad_input_as_invalid_argument(string because, QueryRequest request, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.QueryAsync(request).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, because);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, UpsertRequest, string> BadUpserts => new()
    {
        { "no records", new UpsertRequest(), "records is empty" },
        { "too many records", new UpsertRequest { Records = { Enumerable.Range(0, 1001).Select(i => new VectorRecord { Id = $"r{i}", Text = "x" }) } }, "at most 1000" },
        { "empty id", new UpsertRequest { Records = { new VectorRecord { Id = "", Text = "x" } } }, "records[0].id is empty" },
        { "id too long", new UpsertRequest { Records = { new VectorRecord { Id = new string('i', 513), Text = "x" } } }, "limit is 512" },
        { "neither text nor vector", new UpsertRequest { Records = { new VectorRecord { Id = "a" } } }, "neither text nor vector" },
        { "text too long", new UpsertRequest { Records = { new VectorRecord { Id = "a", Text = new string('t', 8001) } } }, "limit is 8000" },
        { "wrong vector dimension", new UpsertRequest { Records = { new VectorRecord { Id = "a", Vector = { 0.5f, 0.5f } } } }, "expects 1024" },
    };

    [Theory]
    [MemberData(nameof(BadUpserts))]
    public async Task Upsert_rejects_bad_input_as_invalid_argument(string because, UpsertRequest request, string expected)
    {
        request.Namespace = "validation";

        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.UpsertAsync(request).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, because);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_rejects_ids_and_prefix_together_and_neither()
    {
        var both = await Assert.ThrowsAsync<RpcException>(() => Vector.FetchAsync(new FetchRequest { Ids = { "a" }, Prefix = "a" }).ResponseAsync);
        var neither = await Assert.ThrowsAsync<RpcException>(() => Vector.FetchAsync(new FetchRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        Assert.Contains("not both", both.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, neither.StatusCode);
    }

    [Fact]
    public async Task Delete_needs_exactly_one_selector()
    {
        var none = await Assert.ThrowsAsync<RpcException>(() => Vector.DeleteAsync(new DeleteRequest()).ResponseAsync);
        var two = await Assert.ThrowsAsync<RpcException>(() => Vector.DeleteAsync(new DeleteRequest { Ids = { "a" }, Filter = "x = 1" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, none.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, two.StatusCode);
        Assert.Contains("exactly one", two.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(-5)]
    public async Task Range_rejects_a_limit_outside_1_to_1000(int limit)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.RangeAsync(new RangeRequest { Limit = limit }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("use 1 to 1000", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_namespace_cannot_be_deleted()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.DeleteNamespaceAsync(new DeleteNamespaceRequest { Namespace = "" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task The_server_keeps_serving_after_rejected_requests()
    {
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => Rag.AskAsync(new AskRequest { Question = "" }).ResponseAsync);
            await Assert.ThrowsAsync<RpcException>(() => Vector.QueryAsync(new QueryRequest { Text = "x", Filter = "((" }).ResponseAsync);
        }

        var reply = await Vector.QueryAsync(new QueryRequest { Text = "avocado dip", TopK = 1 });

        Assert.Equal("guacamole", reply.Matches.Single().Id);
    }
}
