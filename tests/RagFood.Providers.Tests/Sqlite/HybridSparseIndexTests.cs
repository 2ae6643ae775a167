using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>The lexical index of hybrid retrieval is derived write by write; it must score exactly as one built from
/// scratch over the same snapshot, and a write must cost the next query only the records it touched.</summary>
public sealed class HybridSparseIndexTests
{
    private const int Dimension = 4;

    private static readonly string[] Words =
    [
        "noodle", "soup", "broth", "rice", "steamed", "fried", "spicy", "sweet", "cake", "pork", "chicken", "tofu", "miso",
        "curry", "coconut", "bread", "cheese", "lentil", "bean", "pepper", "garlic", "onion", "dumpling", "sauce",
    ];

    private static readonly string[] Questions =
    [
        "noodle soup", "steaming rice cakes", "fried chicken with garlic sauce", "sweet bean dumplings", "spicy coconut curry",
        "cheese bread", "a question with no known word",
    ];

    [Fact]
    public void An_index_derived_through_upserts_overwrites_deletes_and_a_compaction_scores_as_one_built_from_scratch()
    {
        var random = new Random(7);
        var index = RandomIndex(random, 300);
        NamespaceIndex.Builder builder;
        var derived = HybridSparseIndex.Build(index);
        var compacted = false;
        for (var step = 0; step < 40; step++)
        {
            var slotsBefore = index.SlotCount;
            builder = index.ToBuilder();
            if (step == 25)
            {
                for (var i = 0; i < 1500; i++)
                {
                    builder.Upsert($"n{i}", Text(random), null, Vector(random));
                }
            }

            for (var w = random.Next(1, 12); w > 0; w--)
            {
                var id = $"r{random.Next(0, 400)}";
                switch (random.Next(0, 4))
                {
                    case 0:
                        builder.Remove(id);
                        break;
                    case 1:
                        builder.Upsert(id, null, null, Vector(random));
                        break;
                    default:
                        builder.Upsert(id, Text(random), null, Vector(random));
                        break;
                }
            }

            if (step == 26)
            {
                // Enough tombstones for the next build to compact: records move to other slots.
                foreach (var id in index.SlotsById.Keys.Where((_, i) => i % 4 != 0).ToList())
                {
                    builder.Remove(id);
                }
            }

            index = builder.Build();
            compacted |= index.SlotCount < slotsBefore;
            derived = derived.Update(index);
            AssertSameAsFromScratch(index, derived);
        }

        Assert.True(compacted, "the write sequence was meant to compact the index at least once");
    }

    [Fact]
    public void One_upsert_costs_the_next_query_two_texts_read_not_the_whole_namespace()
    {
        var random = new Random(11);
        var first = RandomIndex(random, 500);
        var full = HybridSparseIndex.Build(first);
        var builder = first.ToBuilder();
        builder.Upsert("r10", "a brand new kimchi stew", null, Vector(random));
        builder.Upsert("r500", "kimchi pancake", null, Vector(random));
        var second = builder.Build();

        var derived = full.Update(second);

        Assert.Equal(500, full.TextsRead);
        Assert.Equal(3, derived.TextsRead); // r10's old and new text, r500's new text
        Assert.Equal(501, derived.Documents);
        Assert.Equal([10, 500], derived.Search("kimchi", 10, null, second.Slots, CancellationToken.None).Select(h => h.Slot).Order());
    }

    [Fact]
    public void Deleting_every_record_leaves_no_terms_behind()
    {
        var index = RandomIndex(new Random(3), 20);
        var derived = HybridSparseIndex.Build(index);
        var builder = index.ToBuilder();
        for (var i = 0; i < 20; i++)
        {
            builder.Remove($"r{i}");
        }

        var empty = builder.Build();
        derived = derived.Update(empty);

        Assert.Equal(0, derived.Documents);
        Assert.Equal(0, derived.TotalLength);
        Assert.Equal(0, derived.TermCount);
        Assert.Empty(derived.Search("noodle soup", 10, null, empty.Slots, CancellationToken.None));
    }

    private static void AssertSameAsFromScratch(NamespaceIndex index, HybridSparseIndex derived)
    {
        var scratch = HybridSparseIndex.Build(index);
        Assert.Equal(scratch.Documents, derived.Documents);
        Assert.Equal(scratch.TotalLength, derived.TotalLength);
        Assert.Equal(scratch.TermCount, derived.TermCount);
        foreach (var question in Questions)
        {
            Assert.Equal(
                scratch.Search(question, 25, null, index.Slots, CancellationToken.None),
                derived.Search(question, 25, null, index.Slots, CancellationToken.None));
        }
    }

    /// <summary>Records r0 … r(count − 1) with random texts.</summary>
    private static NamespaceIndex RandomIndex(Random random, int count)
    {
        var builder = NamespaceIndex.Empty("ns", Dimension).ToBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Upsert($"r{i}", Text(random), null, Vector(random));
        }

        return builder.Build();
    }

    private static string Text(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(2, 9)).Select(_ => Words[random.Next(Words.Length)]));

    private static float[] Vector(Random random)
    {
        var vector = new float[Dimension];
        vector[random.Next(Dimension)] = 1;
        return vector;
    }
}
