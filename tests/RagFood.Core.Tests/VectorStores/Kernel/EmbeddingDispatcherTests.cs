using Microsoft.Extensions.AI;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Tests.VectorStores.Kernel;

public sealed class EmbeddingDispatcherTests
{
    [Fact]
    public async Task Texts_are_sent_in_batches_and_come_back_in_order()
    {
        var generator = new LengthEmbedder(dimension: 2);
        var dispatcher = new EmbeddingDispatcher(generator, "test", batchSize: 2);

        var vectors = await dispatcher.EmbedManyAsync(["a", "bb", "ccc", "dddd", "eeeee"], 0, CancellationToken.None);

        Assert.Equal([2, 2, 1], generator.BatchSizes);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], vectors.Select(v => v[0]));
        Assert.Equal(2, dispatcher.Dimension);
    }

    [Fact]
    public async Task A_vector_of_another_dimension_is_an_embedding_space_mismatch()
    {
        var dispatcher = new EmbeddingDispatcher(new LengthEmbedder(dimension: 3), "test", batchSize: 8);

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => dispatcher.EmbedAsync("text", 4, CancellationToken.None));

        Assert.Equal(VectorStoreErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("3-dimensional", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generator_that_returns_the_wrong_number_of_embeddings_is_an_internal_failure()
    {
        var dispatcher = new EmbeddingDispatcher(new LengthEmbedder(dimension: 2) { DropLast = true }, "test", batchSize: 8);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => dispatcher.EmbedManyAsync(["a", "b"], 0, CancellationToken.None));

        Assert.Equal(VectorStoreErrorKind.Internal, error.Kind);
    }

    [Fact]
    public async Task An_unreachable_generator_is_unavailable()
    {
        var dispatcher = new EmbeddingDispatcher(new LengthEmbedder(dimension: 2) { Failure = new HttpRequestException("refused") }, "test", batchSize: 8);

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => dispatcher.EmbedAsync("a", 0, CancellationToken.None));

        Assert.Equal(VectorStoreErrorKind.Unavailable, error.Kind);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Own_vectors_and_stored_vectors_for_unchanged_text_are_not_embedded_again()
    {
        var generator = new LengthEmbedder(dimension: 2);
        var dispatcher = new EmbeddingDispatcher(generator, "test", batchSize: 8);
        VectorRecord[] records =
        [
            new("own") { Vector = [9f, 9f] },
            new("unchanged") { Text = "same" },
            new("changed") { Text = "new text" },
        ];

        var (vectors, embedded) = await dispatcher.ResolveAsync(records, 2,
            record => record.Id == "unchanged" ? [7f, 7f] : null, CancellationToken.None);

        Assert.Equal(1, embedded);
        Assert.Equal([1], generator.BatchSizes);
        Assert.Equal([9f, 7f, 8f], vectors.Select(v => v[0]));
    }

    /// <summary>Embeds a text as [length, 1, 1, ...]; records the size of every batch.</summary>
    private sealed class LengthEmbedder(int dimension) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<int> BatchSizes { get; } = [];

        public bool DropLast { get; init; }

        public Exception? Failure { get; init; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            var texts = values.ToList();
            BatchSizes.Add(texts.Count);
            var embeddings = texts.Select(t => new Embedding<float>(Enumerable.Range(0, dimension).Select(i => i == 0 ? (float)t.Length : 1f).ToArray()));
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(DropLast ? embeddings.SkipLast(1) : embeddings));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
