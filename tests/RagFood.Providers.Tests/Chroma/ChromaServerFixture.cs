using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>One real Chroma server shared by every test class in the "chroma server" collection.</summary>
public sealed class ChromaServerFixture : IAsyncLifetime
{
    private ChromaServer? _server;

    public ChromaServer Server => _server ?? throw new InvalidOperationException("The server starts in InitializeAsync.");

    /// <summary>Raw HTTP to the server, for checks that must not go through the provider.</summary>
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        _server = await ChromaServer.StartAsync();
        Http.BaseAddress = new Uri(Server.Url, "/api/v2/tenants/default_tenant/databases/default_database/");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A store over this server, built through the real DI registration.</summary>
    public ChromaTestStore CreateStore(string collection, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, Action<ChromaVectorStoreOptions>? configure = null) =>
        ChromaTestStore.Create(Server.Url, collection, embedder, configure);

    /// <summary>A collection name no other test uses.</summary>
    public static string UniqueCollection(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Chroma's id of a collection, by name.</summary>
    public async Task<string> CollectionIdAsync(string name) => (await GetAsync("collections/" + name)).GetProperty("id").GetString()!;
}

/// <summary>A <see cref="ChromaVectorStore"/> with the service provider that built it.</summary>
public sealed class ChromaTestStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ChromaTestStore(ServiceProvider services)
    {
        _services = services;
        Store = services.GetRequiredKeyedService<IVectorStore>(ChromaVectorStore.ProviderName);
    }

    public IVectorStore Store { get; }

    public ChromaVectorStore Chroma => (ChromaVectorStore)Store;

    public IServiceProvider Services => _services;

    public static ChromaTestStore Create(Uri url, string collection, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, Action<ChromaVectorStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(embedder ?? new WordHashEmbeddingGenerator(64));
        services.AddChromaVectorStore(options =>
        {
            options.Url = url;
            options.Collection = collection;
            options.RetryDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(options);
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        // Same check ValidateOnStart does in a host.
        _ = provider.GetRequiredService<IOptions<ChromaVectorStoreOptions>>().Value;
        return new ChromaTestStore(provider);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ChromaServerCollection : ICollectionFixture<ChromaServerFixture>
{
    public const string Name = "chroma server";
}
