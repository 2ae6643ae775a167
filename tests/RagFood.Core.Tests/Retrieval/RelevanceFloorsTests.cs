using RagFood.Core.Retrieval;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.Retrieval;

public sealed class RelevanceFloorsTests
{
    [Fact]
    public async Task Floors_round_trip_through_the_file_and_are_found_by_model_and_dimension()
    {
        var path = Path.Combine(Path.GetTempPath(), $"floors-{Guid.NewGuid():N}.json");
        try
        {
            var floors = RelevanceFloors.Empty
                .With(new RelevanceFloor("model-a", 384, 0.79, "note"))
                .With(new RelevanceFloor("model-b", 1024, 0.6));
            await floors.SaveAsync(path);

            var loaded = await RelevanceFloors.LoadAsync(path);

            Assert.Equal(0.79, loaded.Find(new EmbeddingSpace("model-a", 384))!.Floor);
            Assert.Equal("note", loaded.Find(new EmbeddingSpace("model-a", 384))!.Note);
            Assert.Null(loaded.Find(new EmbeddingSpace("model-a", 1024)));
            Assert.Equal(2, RelevanceFloors.Load(path).All.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_later_floor_for_the_same_space_replaces_the_earlier_one()
    {
        var floors = RelevanceFloors.Empty.With(new RelevanceFloor("m", 8, 0.5)).With(new RelevanceFloor("m", 8, 0.7));

        Assert.Equal(0.7, Assert.Single(floors.All).Floor);
    }

    [Theory]
    [InlineData("""{"floors": [{"model": "m", "dimension": 8, "floor": 1.5}]}""")]
    [InlineData("""{"floors": [{"model": "m", "floor": 0.5}]}""")]
    [InlineData("""[]""")]
    public void A_malformed_file_is_a_format_error(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"floors-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            Assert.Throws<FormatException>(() => RelevanceFloors.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shipped_floors_cover_the_built_in_and_the_local_embedder()
    {
        var floors = RelevanceFloors.Load(Path.Combine(EvalData.RepoRoot, "data", "eval", "relevance-floors.json"));

        Assert.InRange(floors.Find(new EmbeddingSpace("ragfood-hashing-ngram-v2-1024", 1024))!.Floor, 0.5, 0.9);
        Assert.InRange(floors.Find(new EmbeddingSpace("snowflake-arctic-embed-xs", 384))!.Floor, 0.5, 0.95);
    }
}
