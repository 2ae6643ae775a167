using System.Numerics.Tensors;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>The in-memory index: exact search against brute force, and snapshots that never change under readers.</summary>
public sealed class NamespaceIndexTests
{
    private const int Dimension = 24;

    private static float[] RandomUnit(Random random)
    {
        var vector = new float[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    [Fact]
    public void Search_returns_the_same_top_k_as_brute_force_across_chunks_after_overwrites_and_deletes()
    {
        var random = new Random(42);
        var vectors = new Dictionary<string, float[]>();
        var order = new List<string>();
        var builder = NamespaceIndex.Empty("ns", Dimension).ToBuilder();
        for (var i = 0; i < 3000; i++)
        {
            var id = $"r{i}";
            vectors[id] = RandomUnit(random);
            order.Add(id);
            builder.Upsert(id, null, null, vectors[id]);
        }

        var index = builder.Build();
        builder = index.ToBuilder();
        for (var i = 0; i < 3000; i += 7)
        {
            vectors[$"r{i}"] = RandomUnit(random);
            builder.Upsert($"r{i}", null, null, vectors[$"r{i}"]);
        }

        for (var i = 1; i < 3000; i += 5)
        {
            vectors.Remove($"r{i}");
            order.Remove($"r{i}");
            builder.Remove($"r{i}");
        }

        index = builder.Build();
        var query = RandomUnit(random);

        var hits = index.Search(query, 25, null, CancellationToken.None);

        var expected = order
            .Select((id, position) => (id, position, score: TensorPrimitives.Dot(vectors[id], query)))
            .OrderByDescending(x => x.score).ThenBy(x => x.position).Take(25).Select(x => x.id);
        Assert.Equal(expected, hits.Select(h => index.Slots[h.Slot]!.Id));
        Assert.Equal(order.Count, index.LiveCount);
    }

    [Fact]
    public void A_snapshot_keeps_its_vectors_and_records_when_a_later_snapshot_overwrites_and_appends()
    {
        var first = NamespaceIndex.Empty("ns", 2).ToBuilder();
        first.Upsert("a", "old", null, [1f, 0f]);
        var before = first.Build();

        var next = before.ToBuilder();
        next.Upsert("a", "new", null, [0f, 1f]);
        next.Upsert("b", "added", null, [1f, 0f]);
        var after = next.Build();

        Assert.Equal([1f, 0f], before.VectorAt(0).ToArray());
        Assert.Equal("old", before.Find("a")?.Text);
        Assert.Null(before.Find("b"));
        Assert.Equal(1, before.SlotCount);
        Assert.Equal([0f, 1f], after.VectorAt(0).ToArray());
        Assert.Equal("new", after.Find("a")?.Text);
        Assert.Equal(2, after.LiveCount);
    }

    [Fact]
    public void Deleting_most_records_compacts_the_index_and_keeps_insertion_order_and_sequences()
    {
        var builder = NamespaceIndex.Empty("ns", 2).ToBuilder();
        for (var i = 0; i < 3000; i++)
        {
            builder.Upsert($"r{i}", null, null, [1f, 0f]);
        }

        var full = builder.Build();
        builder = full.ToBuilder();
        for (var i = 0; i < 3000; i++)
        {
            if (i % 10 != 0)
            {
                builder.Remove($"r{i}");
            }
        }

        var compacted = builder.Build();

        Assert.Equal(300, compacted.SlotCount);
        Assert.Equal(300, compacted.LiveCount);
        Assert.Equal(3000, compacted.NextSequence);
        Assert.Equal(2990, compacted.Slots[299]!.Sequence);
        Assert.Equal(299, compacted.FirstSlotAtOrAfter(2981));
        Assert.Equal(3000, full.LiveCount);
    }

    [Fact]
    public void A_filtered_search_on_equal_scores_returns_the_earliest_records_that_pass()
    {
        var builder = NamespaceIndex.Empty("ns", 2).ToBuilder();
        for (var i = 0; i < 100; i++)
        {
            var metadata = System.Text.Json.JsonDocument.Parse($$"""{"i":{{i}}}""").RootElement.Clone();
            builder.Upsert($"r{i}", null, metadata, [1f, 0f]);
        }

        var index = builder.Build();
        var filter = Core.Filtering.MetadataFilter.Parse("i >= 50");

        var hits = index.Search([1f, 0f], 3, filter, CancellationToken.None);

        // Equal scores: the earliest records that pass the filter.
        Assert.Equal(["r50", "r51", "r52"], hits.Select(h => index.Slots[h.Slot]!.Id));
    }
}
