using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>Hybrid retrieval in the SQLite store: dense and lexical rankings fused by RRF, filters as before, scores
/// on the dense scale.</summary>
public sealed class SqliteHybridTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_word_only_the_lexical_side_knows_reaches_the_top_in_hybrid_mode_but_not_in_dense_mode()
    {
        await using var dense = await CreateAsync(SqliteRetrievalMode.Dense, "dense.db");
        await using var hybrid = await CreateAsync(SqliteRetrievalMode.Hybrid, "hybrid.db");

        var denseTop = await dense.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 1 });
        var hybridTop = await hybrid.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 1 });

        Assert.Equal("pho", denseTop[0].Id);
        Assert.Equal("garbanzo", hybridTop[0].Id);
    }

    [Fact]
    public async Task Hybrid_results_keep_the_dense_similarity_as_score_and_the_cosine_as_raw_score()
    {
        await using var dense = await CreateAsync(SqliteRetrievalMode.Dense, "dense.db");
        await using var hybrid = await CreateAsync(SqliteRetrievalMode.Hybrid, "hybrid.db");

        var byDense = (await dense.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 4 })).ToDictionary(m => m.Id);
        var byHybrid = await hybrid.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 4 });

        Assert.Equal(4, byHybrid.Count);
        Assert.All(byHybrid, match =>
        {
            Assert.Equal(byDense[match.Id].Score, match.Score, 5);
            Assert.Equal((1 + match.RawScore!.Value) / 2, match.Score, 5);
        });
    }

    [Fact]
    public async Task The_filter_applies_to_both_sides_of_a_hybrid_query()
    {
        await using var hybrid = await CreateAsync(SqliteRetrievalMode.Hybrid, "hybrid.db");

        var matches = await hybrid.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 4, Filter = MetadataFilter.Parse("region != 'Levant'") });

        Assert.Equal(["kimchi", "mochi", "pho"], matches.Select(m => m.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_record_written_after_a_hybrid_query_is_found_lexically_by_the_next_one()
    {
        await using var hybrid = await CreateAsync(SqliteRetrievalMode.Hybrid, "hybrid.db");
        await hybrid.QueryAsync(new VectorQuery { Text = "garbanzo stew", TopK = 1 });

        await hybrid.UpsertAsync(new UpsertRequest([new VectorRecord("falafel") { Text = "Falafel are fried balls of ground fava and garbanzo." }]));
        var matches = await hybrid.QueryAsync(new VectorQuery { Text = "fava", TopK = 1 });

        Assert.Equal("falafel", matches[0].Id);
    }

    [Fact]
    public async Task Hybrid_results_after_writes_and_deletes_equal_those_of_the_same_file_reopened()
    {
        string[] questions = ["garbanzo stew", "spicy noodle soup", "sweet rice cake", "fava beans", "fried balls"];
        List<string> written;
        await using (var store = await CreateAsync(SqliteRetrievalMode.Hybrid, "writes.db"))
        {
            await AnswersAsync(store, questions);
            await store.UpsertAsync(new UpsertRequest([new VectorRecord("falafel") { Text = "Falafel are fried balls of ground fava and garbanzo." }]));
            await AnswersAsync(store, questions);
            await store.UpsertAsync(new UpsertRequest([Record("mochi", "Mochi is a soft rice cake, sweet and filled with red beans.", "Japan")]));
            await store.DeleteAsync(DeleteRequest.ByIds("kimchi"));
            await AnswersAsync(store, questions);
            await store.UpsertAsync(new UpsertRequest([Record("kimchi", "Kimchi stew is a spicy soup of fermented cabbage.", "Korea")]));
            written = await AnswersAsync(store, questions);
        }

        await using var reopened = new SqliteVectorStore(
            Options.Create(new SqliteVectorStoreOptions { Path = _directory.File("writes.db"), Retrieval = SqliteRetrievalMode.Hybrid }), new ConceptEmbeddingGenerator());

        Assert.Equal(written, await AnswersAsync(reopened, questions));
    }

    private static async Task<List<string>> AnswersAsync(SqliteVectorStore store, string[] questions)
    {
        var answers = new List<string>();
        foreach (var question in questions)
        {
            var matches = await store.QueryAsync(new VectorQuery { Text = question, TopK = 5 });
            answers.Add($"{question}: {string.Join(", ", matches.Select(m => $"{m.Id} {m.Score:R}"))}");
        }

        return answers;
    }

    [Fact]
    public async Task Vector_queries_stay_dense_in_hybrid_mode()
    {
        await using var hybrid = await CreateAsync(SqliteRetrievalMode.Hybrid, "hybrid.db");
        var soup = ConceptEmbeddingGenerator.Embed("soup");

        var matches = await hybrid.QueryAsync(new VectorQuery { Vector = soup, TopK = 1 });

        Assert.Equal("pho", matches[0].Id);
    }

    [Fact]
    public async Task The_recorded_space_of_a_store_file_can_be_read_without_opening_the_store()
    {
        var path = _directory.File("space.db");
        Assert.Null(SqliteStoreFile.ReadRecordedSpace(path));

        await using (var store = await CreateAsync(SqliteRetrievalMode.Auto, "space.db"))
        {
            await store.GetInfoAsync();
        }

        Assert.Equal(new EmbeddingSpace(ConceptEmbeddingGenerator.Model, ConceptEmbeddingGenerator.Dimension), SqliteStoreFile.ReadRecordedSpace(path));
    }

    private async Task<SqliteVectorStore> CreateAsync(SqliteRetrievalMode mode, string file)
    {
        var store = new SqliteVectorStore(
            Options.Create(new SqliteVectorStoreOptions { Path = _directory.File(file), Retrieval = mode }), new ConceptEmbeddingGenerator());
        await store.UpsertAsync(new UpsertRequest(
        [
            Record("mochi", "Mochi is a chewy sweet cake of pounded rice.", "Japan"),
            Record("kimchi", "Kimchi is spicy fermented cabbage with chilli.", "Korea"),
            Record("pho", "Pho is a noodle soup with a clear broth.", "Vietnam"),
            Record("garbanzo", "Garbanzo are round legumes.", "Levant"),
        ]));
        return store;
    }

    private static VectorRecord Record(string id, string text, string region) =>
        new(id) { Text = text, Metadata = JsonDocument.Parse($$"""{"region": "{{region}}"}""").RootElement.Clone() };

    /// <summary>A tiny "semantic" embedder: words map to concepts (stew and soup are one), names mean nothing, so the
    /// dense side cannot know that garbanzo is a legume while the lexical side matches the word itself.</summary>
    private sealed class ConceptEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public const string Model = "test-concepts";
        public const int Dimension = 5;

        private static readonly Dictionary<string, int> Concepts = new(StringComparer.OrdinalIgnoreCase)
        {
            ["sweet"] = 0, ["cake"] = 0, ["spicy"] = 1, ["chilli"] = 1, ["soup"] = 2, ["stew"] = 2, ["broth"] = 2, ["noodle"] = 2,
            ["legumes"] = 3, ["beans"] = 3,
        };

        public static float[] Embed(string text)
        {
            var vector = new float[Dimension];
            vector[4] = 0.2f;
            foreach (var word in text.Split([' ', '.', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                if (Concepts.TryGetValue(word, out var axis))
                {
                    vector[axis] += 1;
                }
            }

            return vector;
        }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)) { ModelId = Model })));

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, Model, Dimension) : null;

        public void Dispose()
        {
        }
    }
}
