using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFood.Embeddings.Local;
using RagFood.Providers.Sqlite;

namespace RagFood.Server.Composition;

/// <summary>Turns <c>Embeddings:Provider = Auto</c> (the default) into a concrete embedder without moving any
/// existing store out of its embedding space.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>The embedded SQLite store is the primary and its file records a space: the embedder of that space
/// (the built-in hashing embedder, or the local model). A file from another embedder (Ollama) must say so explicitly,
/// and the store then refuses to open with a message naming both models.</item>
/// <item>The SQLite store is the primary and new (no file, or nothing recorded yet): the local semantic model.</item>
/// <item>Any other primary (Chroma, Upstash): the built-in embedder, the default before the local model existed, so
/// collections made then keep their space. Upstash embeds on its own servers and ignores it.</item>
/// </list>
/// A SQLite file that exists but cannot be read (locked by another process) also resolves to the built-in embedder;
/// the store's own open reports the real problem.
/// </remarks>
internal static class EmbeddingProviderResolver
{
    public static EmbeddingProvider Resolve(EmbeddingOptions embeddings, VectorStoreCompositionOptions composition, SqliteVectorStoreOptions sqlite)
    {
        if (embeddings.Provider != EmbeddingProvider.Auto)
        {
            return embeddings.Provider;
        }

        if (composition.Provider != VectorStoreProvider.Sqlite)
        {
            return EmbeddingProvider.BuiltIn;
        }

        try
        {
            var recorded = SqliteStoreFile.ReadRecordedSpace(sqlite.Path);
            return recorded is null || recorded.Model == ArcticEmbeddingGenerator.ModelName
                ? EmbeddingProvider.Local
                : EmbeddingProvider.BuiltIn;
        }
        catch (SqliteException)
        {
            return EmbeddingProvider.BuiltIn;
        }
    }

    /// <summary>The provider in force for the built service provider.</summary>
    public static EmbeddingProvider Resolve(IServiceProvider services) => Resolve(
        services.GetRequiredService<IOptions<EmbeddingOptions>>().Value,
        services.GetRequiredService<IOptions<VectorStoreCompositionOptions>>().Value,
        services.GetRequiredService<IOptionsMonitor<SqliteVectorStoreOptions>>().CurrentValue);
}
