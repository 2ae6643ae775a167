using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using RagFood.Core.Embeddings;

namespace RagFood.Embeddings.Local.Tests;

/// <summary>One model instance for the class: loading the weights is the slow part.</summary>
public sealed class ArcticFixture : IDisposable
{
    public ArcticEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}

/// <summary>The local semantic embedder, run for real on the weights inside its NuGet package.</summary>
public sealed class ArcticEmbeddingGeneratorTests(ArcticFixture fixture) : IClassFixture<ArcticFixture>
{
    private const string Sushi = "Sushi: Vinegared short-grain rice combined with raw or cooked fish, seafood or vegetables.";
    private const string Pumpkin = "Pumpkin is a large, round orange winter squash with sweet flesh, used in pies and soups.";

    private ArcticEmbeddingGenerator Generator => fixture.Generator;

    [Fact]
    public async Task Vectors_are_384_dimensional_unit_vectors_labelled_with_the_model()
    {
        var embeddings = await Generator.GenerateAsync([Sushi, ""]);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e =>
        {
            Assert.Equal(384, e.Vector.Length);
            Assert.Equal(1.0, TensorPrimitives.Norm(e.Vector.Span), 3);
            Assert.Equal("snowflake-arctic-embed-xs", e.ModelId);
        });
        var metadata = Generator.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("snowflake-arctic-embed-xs", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
    }

    [Fact]
    public async Task A_paraphrased_question_is_closer_to_its_answer_than_to_an_unrelated_food()
    {
        var question = (await Generator.GenerateAsync(["raw fish on seasoned rice"], EmbeddingPurpose.ForQuery()))[0].Vector.Span.ToArray();
        var documents = await Generator.GenerateAsync([Sushi, Pumpkin]);

        var toSushi = TensorPrimitives.CosineSimilarity(question, documents[0].Vector.Span);
        var toPumpkin = TensorPrimitives.CosineSimilarity(question, documents[1].Vector.Span);

        Assert.True(toSushi > toPumpkin + 0.05f, $"sushi {toSushi}, pumpkin {toPumpkin}");
    }

    [Fact]
    public async Task Questions_get_the_retrieval_prefix_and_documents_do_not()
    {
        var asQuery = (await Generator.GenerateAsync(["noodle soup"], EmbeddingPurpose.ForQuery()))[0].Vector.ToArray();
        var asDocument = (await Generator.GenerateAsync(["noodle soup"]))[0].Vector.ToArray();
        var prefixed = (await Generator.GenerateAsync([ArcticEmbeddingGenerator.QueryPrefix + "noodle soup"]))[0].Vector.ToArray();

        Assert.NotEqual(asQuery, asDocument);
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(asQuery, prefixed), 4);
    }

    [Fact]
    public async Task Batches_larger_than_one_inference_and_concurrent_callers_get_the_vectors_of_single_calls()
    {
        var texts = Enumerable.Range(0, ArcticEmbeddingGenerator.MaxBatchSize + 3).Select(i => $"dish number {i} with rice and beans").ToArray();
        var singles = new List<float[]>();
        foreach (var text in texts.Take(3).Concat(texts.TakeLast(2)))
        {
            singles.Add((await Generator.GenerateAsync([text]))[0].Vector.ToArray());
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Generator.GenerateAsync(texts))));

        Assert.All(batches, batch =>
        {
            Assert.Equal(texts.Length, batch.Count);
            var picked = batch.Take(3).Concat(batch.TakeLast(2)).Select(e => e.Vector.ToArray()).ToList();
            for (var i = 0; i < singles.Count; i++)
            {
                Assert.True(TensorPrimitives.CosineSimilarity(singles[i], picked[i]) > 0.9999f, $"text {i} differs when batched");
            }
        });
    }

    [Fact]
    public async Task Another_dimension_is_refused_and_cancellation_is_honoured()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 1024 }));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(["x"], cancellationToken: new CancellationToken(true)));
    }
}
