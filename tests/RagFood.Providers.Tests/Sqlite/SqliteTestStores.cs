using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Sqlite;

internal static class SqliteTestStores
{
    /// <summary>The dimension of the default test embedder.</summary>
    public const int Dimension = 64;

    public static SqliteVectorStore Create(string path, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, int batchSize = 64) =>
        new(Options.Create(new SqliteVectorStoreOptions { Path = path, EmbeddingBatchSize = batchSize }),
            embedder ?? new WordHashEmbeddingGenerator(Dimension));
}
