using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Chroma;
using RagFood.Providers.Tests.Sqlite;
using RagFood.Providers.Tests.Support;
using RagFood.Providers.Tests.Upstash;

namespace RagFood.VectorData.Tests;

/// <summary>The adapter over the embedded SQLite store, a fresh file per test.</summary>
public sealed class SqliteAdapterTests : VectorDataAdapterTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override int Dimension => SqliteTestStores.Dimension;

    protected override Task<IVectorStore> CreateStoreAsync() =>
        Task.FromResult<IVectorStore>(SqliteTestStores.Create(_directory.File("store.db")));

    protected override Task DisposeStoreAsync()
    {
        (Store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _directory.Dispose();
}

/// <summary>The adapter over a real Chroma server (the provider tests' fixture).</summary>
[Collection(ChromaServerCollection.Name)]
public sealed class ChromaAdapterTests(ChromaServerFixture fixture) : VectorDataAdapterTests
{
    private ChromaTestStore? _chroma;

    protected override int Dimension => 64;

    protected override bool SupportsArrayAndGlobFilters => false;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        _chroma = fixture.CreateStore(ChromaServerFixture.UniqueCollection("mevd"), new WordHashEmbeddingGenerator(Dimension));
        return Task.FromResult(_chroma.Store);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_chroma is not null)
        {
            await _chroma.DisposeAsync();
        }
    }
}

/// <summary>The adapter over the Upstash provider, over real HTTP to the emulator (the provider tests' fixture).</summary>
[Collection(UpstashCollection.Name)]
public sealed class UpstashAdapterTests(UpstashEmulatorFixture fixture) : VectorDataAdapterTests
{
    private StoreHandle? _handle;

    protected override int Dimension => UpstashEmulatorFixture.Dimension;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        _handle = UpstashTestHost.CreateStore(fixture.Emulator);
        return Task.FromResult<IVectorStore>(_handle.Store);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_handle is not null)
        {
            await _handle.DisposeAsync();
        }
    }
}
