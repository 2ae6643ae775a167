using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>A legacy-style l2 collection of unnormalised vectors scores on the same relevance scale as every other
/// store, with Chroma's distance kept as the raw score.</summary>
[Collection(ChromaServerCollection.Name)]
public sealed class ChromaRelevanceScaleTests(ChromaServerFixture fixture)
{
    [Fact]
    public async Task Close_neighbours_in_an_l2_collection_of_long_vectors_score_near_one_not_near_zero()
    {
        var name = ChromaServerFixture.UniqueCollection("l2scale");
        await using var store = fixture.CreateStore(name, new WordHashEmbeddingGenerator(4), o => o.Space = "l2");
        // Lengths around 20, as mxbai's unnormalised vectors are: 1 / (1 + d²) would give about 0.005 here.
        await store.Store.UpsertAsync(new UpsertRequest(
        [
            new VectorRecord("near") { Vector = [20, 1, 0, 0] },
            new VectorRecord("far") { Vector = [0, 0, 20, 1] },
        ]));

        var matches = await store.Store.QueryAsync(new VectorQuery { Vector = [18, 4, 0, 0], TopK = 2 });

        Assert.Equal(["near", "far"], matches.Select(m => m.Id));
        Assert.True(matches[0].Score > 0.98f, $"near scored {matches[0].Score}");
        Assert.InRange(matches[1].Score, 0.45f, 0.55f);
        Assert.True(matches[0].RawScore > 9, $"raw distance {matches[0].RawScore}");
        Assert.Null(matches[0].Vector);
    }
}
