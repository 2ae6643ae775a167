using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;
using RagFood.Tests.Shared;

namespace RagFood.Core.Tests.VectorStores;

public sealed class LoggingVectorStoreTests
{
    private readonly FaultInjectingVectorStore _inner = new("sqlite");

    [Fact]
    public async Task Each_call_is_logged_at_debug_with_its_store_operation_and_size()
    {
        var logger = new ListLogger<LoggingVectorStore>(LogLevel.Debug);
        var store = new LoggingVectorStore(_inner, logger);

        await store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Text = "secret recipe" }, new VectorRecord("b") { Text = "x" }]) { Namespace = "foods" });
        await store.QueryAsync(VectorQuery.ForText("secret question") with { Namespace = "foods" });

        Assert.Collection(
            logger.Entries,
            e =>
            {
                Assert.Equal(2150, e.Event.Id);
                Assert.Contains("sqlite Upsert in namespace 'foods'", e.Message, StringComparison.Ordinal);
                Assert.Contains("(2 items)", e.Message, StringComparison.Ordinal);
            },
            e => Assert.Contains("sqlite Query in namespace 'foods'", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_texts_and_ids_appear_only_at_trace()
    {
        var logger = new ListLogger<LoggingVectorStore>(LogLevel.Trace);
        var store = new LoggingVectorStore(_inner, logger);

        await store.UpsertAsync(new UpsertRequest([new VectorRecord("dal") { Text = "lentils" }]));
        await store.QueryAsync(VectorQuery.ForText("spicy lentils"));

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("\"spicy lentils\"", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("dal", StringComparison.Ordinal));
        Assert.All(logger.Entries.Where(e => e.Level > LogLevel.Trace), e => Assert.DoesNotContain("lentils", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_are_logged_and_rethrown_unchanged()
    {
        var logger = new ListLogger<LoggingVectorStore>(LogLevel.Debug);
        var store = new LoggingVectorStore(_inner, logger);
        _inner.FailTransiently(VectorStoreErrorKind.CircuitOpen);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.ListNamespacesAsync());

        Assert.Equal(VectorStoreErrorKind.CircuitOpen, error.Kind);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(2151, entry.Event.Id);
        Assert.Contains("CircuitOpen", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_is_logged_when_debug_is_off()
    {
        var logger = new ListLogger<LoggingVectorStore>(LogLevel.Information);
        var store = new LoggingVectorStore(_inner, logger);

        await store.GetInfoAsync();
        await store.ResetAsync("", all: true);

        Assert.Empty(logger.Entries);
        Assert.Equal(["Info", "Reset"], _inner.Calls);
    }

    [Fact]
    public async Task The_builder_shorthands_compose_logging_over_a_dual_fallback_with_the_journal_from_the_container()
    {
        var journal = new InMemoryWriteJournal();
        var logger = new ListLogger<LoggingVectorStore>(LogLevel.Debug);
        var services = new DictionaryServiceProvider
        {
            [typeof(IWriteJournal)] = journal,
            [typeof(ILogger<LoggingVectorStore>)] = logger,
        };
        var secondary = new FaultInjectingVectorStore("chroma");

        var store = _inner.AsBuilder()
            .UseLogging()
            .UseFallback(secondary, new FallbackVectorStoreOptions { WriteMode = WriteMode.Dual })
            .Build(services);
        await store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Text = "apple" }]));

        Assert.IsType<LoggingVectorStore>(store);
        Assert.Single(logger.Entries);
        Assert.Equal(1, (await journal.GetCountsAsync()).Pending);
    }

    private sealed class DictionaryServiceProvider : Dictionary<Type, object>, IServiceProvider
    {
        public object? GetService(Type serviceType) => TryGetValue(serviceType, out var service) ? service : null;
    }
}
