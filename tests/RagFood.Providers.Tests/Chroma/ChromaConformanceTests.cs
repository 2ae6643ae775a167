using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Conformance;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>The shared IVectorStore conformance suite against a real Chroma server.</summary>
/// <remarks>Chroma metadata is flat scalars and its where has no pattern or array operators, so nested paths, array
/// filters and GLOB are declared unsupported: the suite then checks they are refused before any request.</remarks>
[Collection(ChromaServerCollection.Name)]
public sealed class ChromaConformanceTests(ChromaServerFixture fixture) : VectorStoreConformanceTests
{
    private ChromaTestStore? _store;

    protected override bool SupportsNestedPaths => false;

    protected override bool SupportsArrayFilters => false;

    protected override bool SupportsGlob => false;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        // Each test gets its own base collection, so "reset all" only touches this test's collections.
        _store = fixture.CreateStore(ChromaServerFixture.UniqueCollection("conf"));
        return Task.FromResult(_store.Store);
    }

    protected override async Task DisposeStoreAsync(IVectorStore store)
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
