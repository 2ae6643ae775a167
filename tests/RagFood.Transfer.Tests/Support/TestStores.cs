using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Chroma;
using RagFood.Providers.Upstash;

namespace RagFood.Transfer.Tests.Support;

/// <summary>A store built through its real DI registration, disposed with its service provider.</summary>
public sealed class TestStore(ServiceProvider services, IVectorStore store) : IAsyncDisposable
{
    public IVectorStore Store { get; } = store;

    public ValueTask DisposeAsync() => services.DisposeAsync();
}

/// <summary>Builds the three real stores for transfer tests. Every store embeds with the built-in hashing embedder of
/// <see cref="Dimension"/> dimensions, so Chroma, SQLite and the emulator (model "builtin") share one embedding space.</summary>
public static class TestStores
{
    public const int Dimension = 64;

    public static HashingEmbeddingGenerator Embedder { get; } = new(Dimension);

    public static TestStore Chroma(Uri url, string collection)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(Embedder);
        services.AddChromaVectorStore(o =>
        {
            o.Url = url;
            o.Collection = collection;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
        });
        var provider = services.BuildServiceProvider();
        return new TestStore(provider, provider.GetRequiredKeyedService<IVectorStore>(ChromaVectorStore.ProviderName));
    }

    public static TestStore Upstash(string url, string token, Action<UpstashVectorStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddUpstashVectorStore(o =>
        {
            o.Url = url;
            o.Token = token;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
            o.Timeout = TimeSpan.FromSeconds(20);
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.MaxRetries = 2;
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        return new TestStore(provider, provider.GetRequiredService<UpstashVectorStore>());
    }

    public static TestStore Sqlite(string path)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>>(Embedder);
        services.AddSqliteVectorStore(o => o.Path = path);
        var provider = services.BuildServiceProvider();
        return new TestStore(provider, provider.GetRequiredKeyedService<IVectorStore>(SqliteVectorStore.ProviderName));
    }

    /// <summary>Food-like records with region/type metadata; ids <c>food-0000</c>, <c>food-0001</c>, ….</summary>
    public static List<VectorRecord> Foods(int count, string prefix = "food-")
    {
        string[] regions = ["India", "Japan", "Mexico", "Italy", "Peru"];
        string[] types = ["Main", "Dessert", "Snack", "Soup"];
        return Enumerable.Range(0, count).Select(i => new VectorRecord($"{prefix}{i:D4}")
        {
            Text = $"Dish {i} is a {types[i % types.Length].ToLowerInvariant()} with ingredient{i % 17} and spice{i % 11} from {regions[i % regions.Length]}.",
            Metadata = JsonDocument.Parse($"{{\"region\":\"{regions[i % regions.Length]}\",\"type\":\"{types[i % types.Length]}\",\"n\":{i}}}").RootElement.Clone(),
        }).ToList();
    }

    public static async Task FillAsync(IVectorStore store, IReadOnlyList<VectorRecord> records, string @namespace = "")
    {
        foreach (var chunk in records.Chunk(100))
        {
            await store.UpsertAsync(new UpsertRequest(chunk) { Namespace = @namespace });
        }
    }

    public static async Task<List<VectorRecord>> ReadAllAsync(IVectorStore store, string @namespace = "", bool vectors = false)
    {
        var all = new List<VectorRecord>();
        var cursor = "";
        do
        {
            var page = await store.RangeAsync(new RangeRequest { Cursor = cursor, Limit = 500, Include = new Include(vectors, true, true), Namespace = @namespace });
            all.AddRange(page.Records);
            cursor = page.NextCursor;
        }
        while (cursor.Length > 0);
        return all;
    }
}

/// <summary>One real Chroma server for the transfer tests of a collection.</summary>
public sealed class ChromaFixture : IAsyncLifetime
{
    private ChromaServer? _server;

    public ChromaServer Server => _server ?? throw new InvalidOperationException("Chroma starts in InitializeAsync.");

    public async Task InitializeAsync() => _server = await ChromaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public static string UniqueCollection(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];
}

[CollectionDefinition(Name)]
public sealed class ChromaCollection : ICollectionFixture<ChromaFixture>
{
    public const string Name = "transfer chroma";
}
