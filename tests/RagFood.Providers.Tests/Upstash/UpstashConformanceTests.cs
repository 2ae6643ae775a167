using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Conformance;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>The shared IVectorStore contract, held against the Upstash provider over real HTTP to the emulator.</summary>
[Collection(UpstashCollection.Name)]
public sealed class UpstashConformanceTests(UpstashEmulatorFixture fixture) : VectorStoreConformanceTests
{
    private StoreHandle? _handle;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        _handle = UpstashTestHost.CreateStore(fixture.Emulator);
        return Task.FromResult<IVectorStore>(_handle.Store);
    }

    protected override async Task DisposeStoreAsync(IVectorStore store)
    {
        if (_handle is not null)
        {
            await _handle.DisposeAsync();
        }
    }
}
