using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Sqlite;

public sealed class SqliteServiceCollectionExtensionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_store_is_registered_under_its_provider_name_with_options_from_configuration()
    {
        var path = _directory.File("configured.db");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["VectorStore:Sqlite:Path"] = path, ["VectorStore:Sqlite:EmbeddingBatchSize"] = "8" })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new WordHashEmbeddingGenerator(32));

        services.AddSqliteVectorStore(configuration.GetSection("VectorStore:Sqlite"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredKeyedService<IVectorStore>(SqliteVectorStore.ProviderName);
        Assert.Equal("sqlite", store.Name);
        Assert.Same(store, provider.GetRequiredKeyedService<IVectorStore>("sqlite"));
        Assert.Null(provider.GetService<IVectorStore>());
        Assert.Equal(8, provider.GetRequiredService<IOptions<SqliteVectorStoreOptions>>().Value.EmbeddingBatchSize);
        var info = await store.GetInfoAsync();
        Assert.Equal(32, info.Dimension);
        Assert.Equal("test-word-hash-32", info.EmbeddingModel);
        Assert.True(File.Exists(path));
    }

    [Theory]
    [InlineData("", 64)]
    [InlineData("data/", 64)]
    [InlineData("ok.db", 0)]
    [InlineData("ok.db", 1001)]
    public void Invalid_options_are_reported_when_validated(string path, int batchSize)
    {
        var services = new ServiceCollection();
        services.AddSqliteVectorStore(options =>
        {
            options.Path = path;
            options.EmbeddingBatchSize = batchSize;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteVectorStoreOptions>>().Value);
        Assert.Contains("VectorStore:Sqlite:", error.Message);
    }
}
