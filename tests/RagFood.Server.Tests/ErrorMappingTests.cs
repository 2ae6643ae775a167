using RagFood.Tests.Shared;
using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Core.VectorStores;
using UpsertRequest = RagFood.Contracts.V1.UpsertRequest;
using VectorRecord = RagFood.Contracts.V1.VectorRecord;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>Store failures reach the caller as status codes they can act on, through the real gRPC edge.</summary>
public sealed class ErrorMappingTests : IAsyncLifetime
{
    private ServerHost _host = null!;
    private FaultInjectingVectorStore _store = null!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartAsync(
            new Dictionary<string, string?> { ["Ingestion:OnStart"] = "false" },
            configureServices: services => services.AddSingleton<IVectorStore>(sp =>
                _store = FaultInjectingVectorStore.Wrap(sp.GetRequiredKeyedService<IVectorStore>("sqlite"), "sqlite")));
        await _host.WaitForIngestionAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<VectorStoreErrorKind, StatusCode> Kinds => new()
    {
        { VectorStoreErrorKind.Unavailable, StatusCode.Unavailable },
        { VectorStoreErrorKind.CircuitOpen, StatusCode.Unavailable },
        { VectorStoreErrorKind.Timeout, StatusCode.DeadlineExceeded },
        { VectorStoreErrorKind.ResourceExhausted, StatusCode.ResourceExhausted },
        { VectorStoreErrorKind.Unauthenticated, StatusCode.Unauthenticated },
        { VectorStoreErrorKind.NotFound, StatusCode.NotFound },
        { VectorStoreErrorKind.FailedPrecondition, StatusCode.FailedPrecondition },
        { VectorStoreErrorKind.InvalidRequest, StatusCode.InvalidArgument },
        { VectorStoreErrorKind.Internal, StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_store_failure_maps_to_the_status_code_of_its_kind(VectorStoreErrorKind kind, StatusCode expected)
    {
        _store.Failure = new VectorStoreException("sqlite", kind, $"the store said {kind}");

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Rag.AskAsync(new AskRequest { Question = "rice" }).ResponseAsync);

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal($"the store said {kind}", error.Status.Detail);
    }

    [Fact]
    public async Task An_argument_exception_from_the_store_is_invalid_argument_without_the_parameter_suffix()
    {
        _store.Failure = new ArgumentException("namespace 'x' is not allowed here.", "namespace");

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Vector.QueryAsync(new QueryRequest { Text = "rice" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("namespace 'x' is not allowed here.", error.Status.Detail);
    }

    [Fact]
    public async Task An_unexpected_exception_is_internal_with_a_generic_message_that_leaks_nothing()
    {
        _store.Failure = new InvalidOperationException("connection string Password=hunter2 was rejected");

        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Vector.QueryAsync(new QueryRequest { Text = "rice" }).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.DoesNotContain("hunter2", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Trailers.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_while_streaming_is_mapped_too_and_the_server_recovers()
    {
        _store.Failure = new VectorStoreException("sqlite", VectorStoreErrorKind.Unavailable, "down for a moment");
        using var call = _host.Rag.AskStream(new AskStreamRequest { Question = "rice" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        _store.Failure = null;
        var reply = await _host.Vector.QueryAsync(new QueryRequest { Text = "rice" });

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("sqlite", reply.ServedBy);
    }
}

/// <summary>Responses name the store that served them, as the fallback decorator recorded it.</summary>
public sealed class ServedByTests
{
    [Fact]
    public async Task A_read_served_by_the_fallback_store_says_so()
    {
        FaultInjectingVectorStore? primary = null;
        await using var host = await ServerHost.StartAsync(
            new Dictionary<string, string?> { ["Ingestion:OnStart"] = "false" },
            configureServices: services => services.AddSingleton<IVectorStore>(sp =>
            {
                var sqlite = sp.GetRequiredKeyedService<IVectorStore>("sqlite");
                // The "primary" shares the SQLite file's embedding space, so the decorator may fall back to SQLite.
                primary = FaultInjectingVectorStore.Wrap(sqlite, "upstash");
                return new ComposedFallback(primary, sqlite);
            }));
        await host.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = "kimchi", Text = "Kimchi is fermented cabbage." } } });
        var healthy = await host.Vector.QueryAsync(new QueryRequest { Text = "fermented cabbage", TopK = 1 });

        primary!.Failure = new VectorStoreException("upstash", VectorStoreErrorKind.Unavailable, "upstash is down");
        var query = await host.Vector.QueryAsync(new QueryRequest { Text = "fermented cabbage", TopK = 1 });
        var ask = await host.Rag.AskAsync(new AskRequest { Question = "fermented cabbage" });

        Assert.Equal(("upstash", false), (healthy.ServedBy, healthy.FallbackUsed));
        Assert.Equal(("sqlite", true), (query.ServedBy, query.FallbackUsed));
        Assert.Equal("kimchi", query.Matches.Single().Id);
        Assert.Equal(("sqlite", true), (ask.ServedBy, ask.FallbackUsed));
    }
}
