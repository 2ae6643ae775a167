using RagFood.Core.Embeddings;
using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Conformance;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>The conformance suite against a fresh SQLite file per test, embedding with the built-in embedder.</summary>
public sealed class SqliteConformanceTests : VectorStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override Task<IVectorStore> CreateStoreAsync() =>
        Task.FromResult<IVectorStore>(SqliteTestStores.Create(_directory.File("store.db"), new HashingEmbeddingGenerator()));

    public void Dispose() => _directory.Dispose();
}
