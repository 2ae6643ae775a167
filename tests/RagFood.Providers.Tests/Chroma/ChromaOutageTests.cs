using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>A Chroma server that dies mid-test and comes back on the same data directory and port.</summary>
/// <remarks>Uses its own server so stopping it cannot disturb the shared one.</remarks>
public sealed class ChromaOutageTests : IAsyncLifetime
{
    private ChromaServer? _server;

    public async Task InitializeAsync() => _server = await ChromaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stopped_server_gives_a_transient_typed_error_and_the_store_recovers_after_restart()
    {
        var server = _server!;
        await using var store = ChromaTestStore.Create(server.Url, "outage", new WordHashEmbeddingGenerator(32), o =>
        {
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            // This test is about typed errors and recovery, not the breaker (now configurable): keep it closed.
            o.BreakerMinimumThroughput = 1000;
        });
        await store.Store.UpsertAsync(new UpsertRequest([new VectorRecord("dal") { Text = "Dal is a lentil stew" }]));

        await server.StopAsync();
        var error = await Assert.ThrowsAsync<VectorStoreException>(() => store.Store.QueryAsync(VectorQuery.ForText("lentil stew")));
        var writeError = await Assert.ThrowsAsync<VectorStoreException>(() =>
            store.Store.UpsertAsync(new UpsertRequest([new VectorRecord("sushi") { Text = "Sushi is rice and fish" }])));

        Assert.True(error.IsTransient, $"expected a transient error, got {error.Kind}: {error.Message}");
        Assert.Equal(VectorStoreErrorKind.Unavailable, error.Kind);
        Assert.Equal(ChromaVectorStore.ProviderName, error.StoreName);
        Assert.True(writeError.IsTransient);

        await server.RestartAsync();
        var matches = await store.Store.QueryAsync(VectorQuery.ForText("lentil stew"));
        await store.Store.UpsertAsync(new UpsertRequest([new VectorRecord("sushi") { Text = "Sushi is rice and fish" }]));

        Assert.Equal("dal", matches[0].Id);
        Assert.Equal(2, (await store.Store.GetInfoAsync()).Namespaces[""]);
    }
}
