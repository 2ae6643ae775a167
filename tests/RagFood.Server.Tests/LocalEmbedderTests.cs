using Microsoft.Extensions.Options;
using RagFood.Contracts.V1;
using RagFood.Core.Embeddings;
using RagFood.Providers.Sqlite;
using RagFood.Server.Composition;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The local semantic embedder in the server, and how <c>Embeddings:Provider = Auto</c> picks an embedder
/// without moving an existing store out of its space. The other server tests pin BuiltIn, which starts faster.</summary>
public sealed class LocalEmbedderTests
{
    [Fact]
    public async Task With_the_local_model_a_paraphrase_finds_its_food_and_an_off_topic_question_gets_no_context()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Embeddings:Provider"] = "Local" });
        await server.WaitForIngestionAsync();

        var info = await server.Vector.InfoAsync(new InfoRequest());
        var paraphrase = await server.Rag.AskAsync(new AskRequest { Question = "raw fish on seasoned rice" });
        var offTopic = await server.Rag.AskAsync(new AskRequest { Question = "How do I reset my router password?" });

        Assert.Equal(ArcticEmbeddingGeneratorName, info.EmbeddingModel);
        Assert.Equal(AnswerMode.Extractive, paraphrase.Mode);
        Assert.Equal("sushi", paraphrase.Sources[0].Id);
        Assert.Equal(AnswerMode.NoContext, offTopic.Mode);
        Assert.Equal(paraphrase.RelevanceFloor, offTopic.RelevanceFloor);
        Assert.True(offTopic.RelevanceFloor > 0.7f, $"floor {offTopic.RelevanceFloor}");
    }

    [Fact]
    public void Auto_picks_the_local_model_for_a_new_embedded_store_and_the_built_in_embedder_for_other_stores()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ragfood-auto-{Guid.NewGuid():N}.db");
        var auto = new EmbeddingOptions();

        Assert.Equal(EmbeddingProvider.Auto, auto.Provider);
        Assert.Equal(EmbeddingProvider.Local, EmbeddingProviderResolver.Resolve(auto, new VectorStoreCompositionOptions(), new SqliteVectorStoreOptions { Path = path }));
        Assert.Equal(EmbeddingProvider.BuiltIn, EmbeddingProviderResolver.Resolve(auto,
            new VectorStoreCompositionOptions { Provider = VectorStoreProvider.Chroma }, new SqliteVectorStoreOptions { Path = path }));
        Assert.Equal(EmbeddingProvider.BuiltIn, EmbeddingProviderResolver.Resolve(new EmbeddingOptions { Provider = EmbeddingProvider.BuiltIn },
            new VectorStoreCompositionOptions(), new SqliteVectorStoreOptions { Path = path }));
    }

    [Fact]
    public async Task Auto_keeps_an_existing_store_made_with_the_built_in_embedder_in_its_space()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ragfood-auto-{Guid.NewGuid():N}.db");
        try
        {
            await using (var store = new SqliteVectorStore(Options.Create(new SqliteVectorStoreOptions { Path = path }), new HashingEmbeddingGenerator()))
            {
                await store.UpsertAsync(new RagFood.Core.VectorStores.UpsertRequest([new RagFood.Core.VectorStores.VectorRecord("a") { Text = "rice" }]));
            }

            var resolved = EmbeddingProviderResolver.Resolve(new EmbeddingOptions(), new VectorStoreCompositionOptions(), new SqliteVectorStoreOptions { Path = path });

            Assert.Equal(EmbeddingProvider.BuiltIn, resolved);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private const string ArcticEmbeddingGeneratorName = "snowflake-arctic-embed-xs";
}
