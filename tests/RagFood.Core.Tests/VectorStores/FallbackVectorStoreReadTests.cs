using RagFood.Tests.Shared;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

public sealed class FallbackVectorStoreReadTests
{
    private readonly FaultInjectingVectorStore _primary = new("upstash");
    private readonly FaultInjectingVectorStore _secondary = new("chroma");

    public FallbackVectorStoreReadTests()
    {
        // Distinct content, so an answer shows which store gave it.
        _primary.UpsertAsync(new UpsertRequest([new VectorRecord("from-primary") { Text = "p" }])).GetAwaiter().GetResult();
        _secondary.UpsertAsync(new UpsertRequest([new VectorRecord("from-secondary") { Text = "s" }])).GetAwaiter().GetResult();
    }

    private ComposedFallback CreateStore(FallbackVectorStoreOptions? options = null) => new(_primary, _secondary, options);

    /// <summary>A store whose primary answered once while healthy, so its embedding space is known.</summary>
    private async Task<ComposedFallback> CreateWarmedStoreAsync(FallbackVectorStoreOptions? options = null)
    {
        var store = CreateStore(options);
        await store.QueryAsync(VectorQuery.ForText("warm up"));
        return store;
    }

    [Fact]
    public async Task A_healthy_primary_serves_the_query_and_the_scope_says_so()
    {
        var store = CreateStore();
        using var scope = ServingScope.Begin();

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-primary", Assert.Single(matches).Id);
        Assert.Equal("upstash", scope.StoreName);
        Assert.False(scope.FallbackUsed);
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Theory]
    [InlineData(VectorStoreErrorKind.Unavailable)]
    [InlineData(VectorStoreErrorKind.Timeout)]
    [InlineData(VectorStoreErrorKind.ResourceExhausted)]
    [InlineData(VectorStoreErrorKind.CircuitOpen)]
    public async Task A_transient_primary_failure_falls_back_to_the_secondary(VectorStoreErrorKind kind)
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently(kind);
        using var scope = ServingScope.Begin();

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
        Assert.Equal("chroma", scope.StoreName);
        Assert.True(scope.FallbackUsed);
        Assert.Contains(kind.ToString(), scope.FallbackReason, StringComparison.Ordinal);
    }

    public static TheoryData<string> TransportFailures => ["http", "timeout", "inner-cancellation"];

    [Theory]
    [MemberData(nameof(TransportFailures))]
    public async Task Transport_failures_not_caused_by_the_caller_fall_back(string failure)
    {
        var store = await CreateWarmedStoreAsync();
        _primary.Fail(() => failure switch
        {
            "http" => new HttpRequestException("connection refused"),
            "timeout" => new TimeoutException("no answer"),
            // What HttpClient.Timeout throws: a cancellation whose token is not the caller's.
            _ => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException()),
        });
        using var scope = ServingScope.Begin();

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
        Assert.True(scope.FallbackUsed);
    }

    [Fact]
    public async Task Caller_cancellation_never_falls_back()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.Hang();
        using var cancellation = new CancellationTokenSource();
        using var scope = ServingScope.Begin();

        var query = store.QueryAsync(VectorQuery.ForText("apple"), cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
        Assert.Equal(0, _secondary.CallCount("Query"));
        Assert.False(scope.FallbackUsed);
    }

    [Fact]
    public async Task A_store_error_raised_while_the_caller_cancels_does_not_fall_back()
    {
        var store = await CreateWarmedStoreAsync();
        using var cancellation = new CancellationTokenSource();
        _primary.Fail(() =>
        {
            cancellation.Cancel();
            return new HttpRequestException("aborted");
        });

        // The caller's token is cancelled before the store's error arrives, so which of the two the caller sees first
        // is a race (the attempt waits on the caller's token): either is right for a caller that has cancelled. What
        // must not happen is a fallback.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.QueryAsync(VectorQuery.ForText("apple"), cancellation.Token));
        Assert.True(error is HttpRequestException or OperationCanceledException, error.ToString());
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Fact]
    public async Task Argument_errors_are_rethrown_without_falling_back()
    {
        var store = await CreateWarmedStoreAsync();
        var error = new ArgumentException("topK must be between 1 and 100", "topK");
        _primary.Fail(() => error);

        var thrown = await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Same(error, thrown);
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Theory]
    [InlineData(VectorStoreErrorKind.InvalidRequest)]
    [InlineData(VectorStoreErrorKind.Unauthenticated)]
    [InlineData(VectorStoreErrorKind.NotFound)]
    [InlineData(VectorStoreErrorKind.FailedPrecondition)]
    [InlineData(VectorStoreErrorKind.Internal)]
    public async Task Non_transient_store_errors_are_rethrown_without_falling_back(VectorStoreErrorKind kind)
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently(kind);

        var thrown = await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Equal(kind, thrown.Kind);
        Assert.Equal("upstash", thrown.StoreName);
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Fact]
    public async Task Unknown_exceptions_are_rethrown_without_falling_back()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.Fail(() => new InvalidOperationException("bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.QueryAsync(VectorQuery.ForText("apple")));
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    public static TheoryData<string> ReadOperations => ["Fetch", "Range", "Info", "ListNamespaces"];

    [Theory]
    [MemberData(nameof(ReadOperations))]
    public async Task Every_read_falls_back_and_records_the_serving_store(string operation)
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);
        using var scope = ServingScope.Begin();

        object result = operation switch
        {
            "Fetch" => await store.FetchAsync(FetchRequest.ByIds("from-secondary")),
            "Range" => await store.RangeAsync(new RangeRequest()),
            "Info" => await store.GetInfoAsync(),
            _ => await store.ListNamespacesAsync(),
        };

        Assert.NotNull(result);
        Assert.Equal(1, _secondary.CallCount(operation));
        Assert.Equal("chroma", scope.StoreName);
        Assert.True(scope.FallbackUsed);
        if (result is VectorStoreInfo info)
        {
            Assert.Equal("chroma", info.Store);
        }
        else if (result is IReadOnlyList<VectorRecord?> fetched)
        {
            Assert.Equal("from-secondary", Assert.Single(fetched)!.Id);
        }
    }

    [Fact]
    public async Task A_fallback_to_another_embedding_model_is_refused_naming_both_models()
    {
        _secondary.Model = "ragfood-hashing-ngrams-v1";
        _primary.Model = "mxbai-embed-large";
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);
        using var scope = ServingScope.Begin();

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Contains("mxbai-embed-large", error.Message, StringComparison.Ordinal);
        Assert.Contains("ragfood-hashing-ngrams-v1", error.Message, StringComparison.Ordinal);
        Assert.Equal("mxbai-embed-large", error.Expected.Model);
        Assert.Equal("ragfood-hashing-ngrams-v1", error.Actual.Model);
        Assert.Equal(0, _secondary.CallCount("Query"));
        Assert.Null(scope.StoreName);
    }

    [Fact]
    public async Task A_fallback_to_another_dimension_is_refused()
    {
        _secondary.Dimension = 1024;
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently();

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => store.FetchAsync(FetchRequest.ByIds("x")));

        Assert.Equal(3, error.Expected.Dimension);
        Assert.Equal(1024, error.Actual.Dimension);
        Assert.Equal(0, _secondary.CallCount("Fetch"));
    }

    [Fact]
    public async Task Info_falls_back_even_across_embedding_spaces_because_it_names_its_own_model()
    {
        _secondary.Model = "other-model";
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently();

        var info = await store.GetInfoAsync();

        Assert.Equal("other-model", info.EmbeddingModel);
    }

    [Fact]
    public async Task The_embedding_spaces_are_asked_once_and_then_cached()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently();

        await store.QueryAsync(VectorQuery.ForText("one"));
        await store.QueryAsync(VectorQuery.ForText("two"));
        await store.FetchAsync(FetchRequest.ByIds("three"));

        Assert.Equal(1, _primary.CallCount("Info"));
        Assert.Equal(1, _secondary.CallCount("Info"));
    }

    [Fact]
    public async Task Fallback_is_refused_when_the_primary_was_never_reachable_to_report_its_space()
    {
        var store = CreateStore();
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.IsNotType<EmbeddingSpaceMismatchException>(error);
        Assert.Equal("upstash", error.StoreName);
        Assert.Equal(VectorStoreErrorKind.CircuitOpen, error.Kind);
        Assert.Contains("not known", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _secondary.CallCount("Query"));
    }

    [Fact]
    public async Task Fallback_asks_a_primary_that_still_answers_info_for_its_space()
    {
        var store = CreateStore();
        _primary.FailTransiently(VectorStoreErrorKind.Timeout, operations: "Query");

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
        Assert.Equal(1, _primary.CallCount("Info"));
    }

    [Fact]
    public async Task Verifying_at_start_up_lets_a_primary_that_never_answered_a_read_fall_back_later()
    {
        var store = CreateStore();
        await store.VerifyEmbeddingSpacesAsync();
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
    }

    [Fact]
    public async Task Verifying_stores_in_different_spaces_throws_the_mismatch()
    {
        _secondary.Model = "other-model";
        var store = CreateStore();

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => store.VerifyEmbeddingSpacesAsync());

        Assert.Contains("other-model", error.Message, StringComparison.Ordinal);
        Assert.Contains("test-embed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_both_stores_fail_the_primary_error_is_thrown_with_the_secondary_error_attached()
    {
        var store = await CreateWarmedStoreAsync();
        await store.VerifyEmbeddingSpacesAsync();
        _primary.FailTransiently(VectorStoreErrorKind.CircuitOpen);
        _secondary.Fail(() => new HttpRequestException("connection refused by chroma"));
        using var scope = ServingScope.Begin();

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Equal("upstash", error.StoreName);
        Assert.Equal(VectorStoreErrorKind.CircuitOpen, error.Kind);
        Assert.Contains("upstash", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused by chroma", error.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<AggregateException>(error.InnerException);
        Assert.Collection(
            inner.InnerExceptions,
            e => Assert.Equal(VectorStoreErrorKind.CircuitOpen, Assert.IsType<VectorStoreException>(e).Kind),
            e => Assert.IsType<HttpRequestException>(e));
        Assert.Null(scope.StoreName);
    }

    [Fact]
    public async Task When_the_secondary_cannot_report_its_space_both_failures_are_reported()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently();
        _secondary.FailTransiently(VectorStoreErrorKind.Timeout);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Equal("upstash", error.StoreName);
        Assert.Equal(2, Assert.IsType<AggregateException>(error.InnerException).InnerExceptions.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hanging_primary_is_abandoned_after_the_read_timeout(bool ignoresToken)
    {
        var store = await CreateWarmedStoreAsync(new FallbackVectorStoreOptions { PrimaryReadTimeout = TimeSpan.FromMilliseconds(50) });
        _primary.Hang(ignoresToken);
        using var scope = ServingScope.Begin();

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
        Assert.True(scope.FallbackUsed);
        Assert.Contains("TimeoutException", scope.FallbackReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_primary_serves_again_as_soon_as_it_recovers()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently(times: 1, operations: "Query");

        var first = await store.QueryAsync(VectorQuery.ForText("apple"));
        using var scope = ServingScope.Begin();
        var second = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(first).Id);
        Assert.Equal("from-primary", Assert.Single(second).Id);
        Assert.False(scope.FallbackUsed);
    }

    [Fact]
    public async Task Reads_outside_a_serving_scope_still_fall_back()
    {
        var store = await CreateWarmedStoreAsync();
        _primary.FailTransiently();

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-secondary", Assert.Single(matches).Id);
    }

    [Fact]
    public async Task Info_served_by_a_same_named_secondary_is_not_taken_for_the_primary_space()
    {
        var primary = new FaultInjectingVectorStore("sqlite", model: "model-a");
        var secondary = new FaultInjectingVectorStore("sqlite", model: "model-b");
        var store = new ComposedFallback(primary, secondary);
        primary.FailTransiently();

        Assert.Equal("model-b", (await store.GetInfoAsync()).EmbeddingModel);
        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Contains("not known", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, secondary.CallCount("Query"));
    }

    [Fact]
    public async Task A_primary_whose_info_call_breaks_still_serves_its_reads()
    {
        var store = CreateStore();
        _primary.Fail(() => new InvalidOperationException("info is broken"), operations: "Info");

        var matches = await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("from-primary", Assert.Single(matches).Id);
    }

    [Fact]
    public void The_same_store_cannot_be_its_own_fallback()
        => Assert.Throws<ArgumentException>(() => new ComposedFallback(_primary, _primary));

    [Fact]
    public void The_decorator_carries_the_primary_name()
        => Assert.Equal("upstash", CreateStore().Name);
}
