using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using RagFood.Core.Embeddings;

namespace RagFood.Core.Tests.Embeddings;

public sealed class HashingEmbeddingGeneratorTests : IDisposable
{
    private readonly HashingEmbeddingGenerator _embedder = new();

    public void Dispose() => _embedder.Dispose();

    [Fact]
    public void Vectors_have_the_default_dimension_of_1024()
    {
        Assert.Equal(1024, HashingEmbeddingGenerator.DefaultDimension);
        Assert.Equal(1024, _embedder.Embed("masala dosa").Length);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(384)]
    [InlineData(1536)]
    public void Vectors_have_the_configured_dimension(int dimension)
    {
        using var embedder = new HashingEmbeddingGenerator(dimension);

        Assert.Equal(dimension, embedder.Embed("A thin crepe of fermented rice and lentil batter.").Length);
        Assert.Equal(dimension, embedder.Metadata.DefaultModelDimensions);
    }

    [Fact]
    public void A_dimension_below_16_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashingEmbeddingGenerator(8));
    }

    [Fact]
    public void The_model_id_says_it_is_the_hashing_ngram_embedder_and_names_the_dimension()
    {
        using var embedder = new HashingEmbeddingGenerator(512);

        Assert.Equal("ragfood-hashing-ngram-v2-512", embedder.ModelId);
        Assert.Equal(embedder.ModelId, embedder.Metadata.DefaultModelId);
        Assert.StartsWith(HashingEmbeddingGenerator.ModelIdPrefix, _embedder.ModelId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Chickpeas")]
    [InlineData("A South Indian crepe made from fermented rice and lentil batter, served with sambar.")]
    [InlineData("phở bò: Vietnamese beef noodle soup")]
    [InlineData("a")]
    [InlineData("")]
    [InlineData("   \t\n ")]
    [InlineData("?!...")]
    public void Every_vector_has_unit_length(string text)
    {
        var vector = _embedder.Embed(text);

        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
        Assert.All(vector, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void The_same_text_gives_the_same_vector_from_separate_instances()
    {
        const string text = "Soft, spongy steamed cakes made from a fermented batter of rice and urad dal.";

        using var one = new HashingEmbeddingGenerator();
        using var other = new HashingEmbeddingGenerator();

        Assert.Equal(one.Embed(text), other.Embed(text));
    }

    [Fact]
    public void Vectors_do_not_depend_on_the_process_because_the_hash_is_fixed()
    {
        // Pinned coordinates: string.GetHashCode is randomised per process, so a vector that leaned on it would change
        // from run to run and these values (computed once with the FNV-1a based hashing) would not hold.
        // Two words, so that word, bigram, character n-gram and first-word weights all shape the pinned values.
        var vector = _embedder.Embed("Chickpea curry");
        var nonZero = vector.Select((value, index) => (value, index)).Where(p => p.value != 0).ToArray();

        Assert.InRange(nonZero.Length, 20, 80);
        var signature = Signature(vector);
        Assert.True(signature == ReferenceChickpeaCurrySignature, $"'Chickpea curry' now embeds as {signature}");
    }

    [Theory]
    [InlineData("Chickpeas", "chickpea")]
    [InlineData("BERRIES", "berry")]
    [InlineData("tomatoes", "Tomato")]
    [InlineData("Dishes", "dish")]
    [InlineData("cookies", "cookie")]
    [InlineData("quiches", "quiche")]
    [InlineData("leaves", "leaf")]
    [InlineData("fries", "fried")]
    [InlineData("Crème Brûlée", "creme brulee")]
    [InlineData("Bánh mì", "banh mi")]
    [InlineData("shepherd's pie", "Shepherds pie")]
    public void Case_accents_and_plural_forms_embed_identically(string one, string other)
    {
        Assert.Equal(_embedder.Embed(one), _embedder.Embed(other));
    }

    [Fact]
    public void Stop_words_do_not_change_the_vector_of_a_content_phrase()
    {
        Assert.Equal(_embedder.Embed("fermented rice batter"), _embedder.Embed("What is the fermented rice batter?"));
    }

    [Fact]
    public void A_question_is_closer_to_the_food_that_answers_it_than_to_unrelated_foods()
    {
        var question = _embedder.Embed("Which South Indian crepe is made from fermented rice and lentil batter?");
        var dosa = _embedder.Embed("A thin, crisp South Indian crepe made from a fermented batter of rice and black lentils, folded around spiced potato.");
        var sushi = _embedder.Embed("Vinegared short-grain rice combined with raw fish, wrapped in nori seaweed.");
        var pavlova = _embedder.Embed("A meringue dessert with a crisp shell and soft marshmallow centre, topped with cream and fruit.");

        var toDosa = TensorPrimitives.CosineSimilarity(question, dosa);
        Assert.True(toDosa > TensorPrimitives.CosineSimilarity(question, sushi));
        Assert.True(toDosa > TensorPrimitives.CosineSimilarity(question, pavlova));
        Assert.True(TensorPrimitives.CosineSimilarity(question, pavlova) < 0.1f);
    }

    [Fact]
    public void Related_word_forms_share_character_ngrams_and_score_above_unrelated_words()
    {
        var fermented = _embedder.Embed("fermented");
        var ferment = _embedder.Embed("ferment");
        var banana = _embedder.Embed("banana");

        Assert.True(TensorPrimitives.CosineSimilarity(fermented, ferment) > 0.3f);
        Assert.True(TensorPrimitives.CosineSimilarity(fermented, banana) < 0.1f);
    }

    [Fact]
    public void Word_order_matters_through_bigrams_but_only_a_little()
    {
        var one = _embedder.Embed("coconut milk rice");
        var swapped = _embedder.Embed("rice milk coconut");

        var similarity = TensorPrimitives.CosineSimilarity(one, swapped);
        Assert.InRange(similarity, 0.7f, 0.999f);
    }

    [Fact]
    public void Empty_and_whitespace_text_map_to_one_fixed_unit_vector_that_is_far_from_real_text()
    {
        var empty = _embedder.Embed("");
        var blank = _embedder.Embed("  \n\t ");
        var punctuation = _embedder.Embed("... !!");

        Assert.Equal(empty, blank);
        Assert.Equal(empty, punctuation);
        Assert.Equal(1, empty.Count(value => value != 0));
        Assert.True(Math.Abs(TensorPrimitives.CosineSimilarity(empty, _embedder.Embed("tomato soup"))) < 0.2f);
    }

    [Fact]
    public void Text_made_only_of_stop_words_still_gets_its_own_vector()
    {
        var vector = _embedder.Embed("What is it?");

        Assert.NotEqual(_embedder.Embed(""), vector);
        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
    }

    [Fact]
    public void Very_long_text_is_embedded_completely()
    {
        var words = Enumerable.Range(0, 5000).Select(i => $"ingredient{i}");
        var text = string.Join(' ', words);

        var vector = _embedder.Embed(text);

        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
        Assert.NotEqual(vector, _embedder.Embed(text + " saffron"));
    }

    [Fact]
    public void Null_text_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => _embedder.Embed(null!));
    }

    [Fact]
    public async Task GenerateAsync_returns_one_embedding_per_value_in_order_with_the_model_id()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = _embedder;

        var result = await generator.GenerateAsync(["apple", "pho", "apple"]);

        Assert.Equal(3, result.Count);
        Assert.All(result, embedding => Assert.Equal(_embedder.ModelId, embedding.ModelId));
        Assert.Equal(result[0].Vector.ToArray(), result[2].Vector.ToArray());
        Assert.Equal(_embedder.Embed("pho"), result[1].Vector.ToArray());
    }

    [Fact]
    public async Task GenerateAsync_rejects_a_request_for_another_dimension_and_accepts_its_own()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _embedder.GenerateAsync(["apple"], new EmbeddingGenerationOptions { Dimensions = 768 }));
        Assert.Contains("768", error.Message, StringComparison.Ordinal);

        var result = await _embedder.GenerateAsync(["apple"], new EmbeddingGenerationOptions { Dimensions = 1024 });
        Assert.Equal(1024, result[0].Vector.Length);
    }

    [Fact]
    public async Task GenerateAsync_honours_a_cancelled_token()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _embedder.GenerateAsync(["apple"], cancellationToken: cts.Token));
    }

    [Fact]
    public void Metadata_is_available_through_GetService()
    {
        Assert.Same(_embedder.Metadata, _embedder.GetService(typeof(EmbeddingGeneratorMetadata)));
        Assert.Same(_embedder, _embedder.GetService(typeof(HashingEmbeddingGenerator)));
        Assert.Null(_embedder.GetService(typeof(string)));
    }

    [Fact]
    public async Task Concurrent_callers_get_the_same_vectors_as_a_single_caller()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"dish number {i} with rice, beans and {i % 7} chillies").ToArray();
        var expected = texts.Select(_embedder.Embed).ToArray();

        var actual = await Task.WhenAll(texts.Select(text => Task.Run(() => _embedder.Embed(text))));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    private const string ReferenceChickpeaCurrySignature = "39:-0.3432,56:-0.2696,79:-0.1348,85:-0.1348,138:-0.1189,140:0.1348";

    private static string Signature(float[] vector) =>
        string.Join(',', vector.Select((value, index) => (value, index)).Where(p => p.value != 0).Take(6)
            .Select(p => $"{p.index}:{p.value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}"));
}
