using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Sqlite;
using RagFood.Providers.Tests.Support;
using RagFood.Tests.Shared;

namespace RagFood.VectorData.Tests;

/// <summary>The adapter over RagFood's composed store: an MEVD app gets the failover decorator's fallback for free.</summary>
public sealed class ComposedStoreAdapterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_search_the_primary_cannot_serve_is_answered_by_the_fallback()
    {
        using var primaryFile = SqliteTestStores.Create(_directory.File("primary.db"));
        using var secondary = SqliteTestStores.Create(_directory.File("secondary.db"));
        var primary = FaultInjectingVectorStore.Wrap(primaryFile, name: "upstash");
        using var composed = new ComposedFallback(primary, secondary);
        var foods = new RagFoodVectorStore(composed).GetCollection<string, Food>("menu");
        var ramen = new Food { Id = "ramen", Text = "Ramen is a noodle soup from Japan", Region = "Japan" };
        await foods.UpsertAsync(ramen);
        await new RagFoodVectorStore(secondary).GetCollection<string, Food>("menu").UpsertAsync(ramen);
        primary.FailTransiently(VectorStoreErrorKind.Unavailable, operations: "Query");

        var results = await foods.SearchAsync("noodle soup", 1, new() { Filter = r => r.Region == "Japan" }).ToListAsync();

        Assert.Equal("ramen", Assert.Single(results).Record.Id);
        Assert.True(primary.CallCount("Query") >= 1);
    }
}
