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

        Assert.Equal([1f, 0f], before.CopyVector(0));
        Assert.Equal("old", before.Find("a")?.Text);
        Assert.Null(before.Find("b"));
        Assert.Equal(1, before.SlotCount);
        Assert.Equal([0f, 1f], after.CopyVector(0));
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

    // ---- The dimension-major layout: sparse and dense queries, partial chunks, copy-on-write, compaction ----------

    private static float[] RandomUnit(Random random, int dimension)
    {
        var vector = new float[dimension];
        for (var d = 0; d < dimension; d++)
        {
            vector[d] = (float)((random.NextDouble() * 2) - 1);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    private static NamespaceIndex BuildIndex(IReadOnlyList<float[]> vectors)
    {
        var builder = NamespaceIndex.Empty("ns", vectors[0].Length).ToBuilder();
        for (var i = 0; i < vectors.Count; i++)
        {
            builder.Upsert($"r{i}", null, null, vectors[i]);
        }

        return builder.Build();
    }

    /// <summary>The queries every layout test runs: dense, one-hot on the first, a middle and the last dimension, and
    /// mixes of a few non-zeros (the hashing embedder's questions have a few dozen of 1024).</summary>
    private static List<(string Name, float[] Query)> Queries(Random random, int dimension)
    {
        var queries = new List<(string, float[])> { ("dense", RandomUnit(random, dimension)) };
        foreach (var hot in new[] { 0, dimension / 2, dimension - 1 })
        {
            var oneHot = new float[dimension];
            oneHot[hot] = 1f;
            queries.Add(($"one-hot {hot}", oneHot));
        }

        foreach (var nonZeros in new[] { 3, 48 })
        {
            var mixed = new float[dimension];
            for (var k = 0; k < nonZeros; k++)
            {
                mixed[random.Next(dimension)] = (float)((random.NextDouble() * 2) - 1);
            }

            TensorPrimitives.Divide(mixed, TensorPrimitives.Norm(mixed), mixed);
            queries.Add(($"{nonZeros} non-zeros", mixed));
        }

        return queries;
    }

    /// <summary>Checks hits against a double-precision brute force: each score within 1e-5 of its reference, best first,
    /// and nothing better left out.</summary>
    private static void AssertExactTopK(NamespaceIndex index, IReadOnlyDictionary<string, float[]> vectors, float[] query,
        ScanHit[] hits, int topK, string because)
    {
        var reference = vectors.ToDictionary(
            pair => pair.Key,
            pair => pair.Value.Select((x, d) => (double)x * query[d]).Sum());
        var ranked = reference.Values.OrderDescending().ToArray();
        Assert.True(hits.Length == Math.Min(topK, vectors.Count), because);
        for (var i = 0; i < hits.Length; i++)
        {
            var id = index.Slots[hits[i].Slot]!.Id;
            Assert.True(Math.Abs(reference[id] - hits[i].Cosine) <= 1e-5, $"{because}: {id} scored {hits[i].Cosine}, reference {reference[id]}");
            Assert.True(i == 0 || hits[i - 1].Cosine >= hits[i].Cosine, $"{because}: hits out of order at {i}");
            // The i-th hit is as good as the i-th best reference score (within rounding): nothing better was skipped.
            Assert.True(reference[id] >= ranked[i] - 1e-5, $"{because}: hit {i} is {reference[id]}, the reference's is {ranked[i]}");
        }
    }

    [Theory]
    [InlineData(1, 1024)]
    [InlineData(3, 1024)]
    [InlineData(1023, 1024)]
    [InlineData(1025, 1024)]
    [InlineData(2500, 1024)]
    [InlineData(1500, 13)]
    public void Sparse_and_dense_queries_find_the_exact_top_k_across_partial_chunks(int count, int dimension)
    {
        var random = new Random(count + dimension);
        var vectors = Enumerable.Range(0, count).Select(_ => RandomUnit(random, dimension)).ToList();
        var index = BuildIndex(vectors);
        var byId = vectors.Select((v, i) => (v, i)).ToDictionary(x => $"r{x.i}", x => x.v);

        foreach (var (name, query) in Queries(random, dimension))
        {
            var hits = index.Search(query, 10, null, CancellationToken.None);
            AssertExactTopK(index, byId, query, hits, 10, $"{count} × {dimension}, {name}");
            Assert.Equal(hits[0].Cosine, index.RawScan(query));
        }
    }

    [Fact]
    public void A_one_hot_query_scores_each_record_by_that_coordinate_alone()
    {
        var random = new Random(5);
        var vectors = Enumerable.Range(0, 1100).Select(_ => RandomUnit(random, 64)).ToList();
        var index = BuildIndex(vectors);
        var query = new float[64];
        query[41] = 1f;

        var hits = index.Search(query, 1100, null, CancellationToken.None);

        Assert.Equal(1100, hits.Length);
        foreach (var hit in hits)
        {
            Assert.Equal(vectors[hit.Slot][41], hit.Cosine);
        }
    }

    [Theory]
    [InlineData(2100, 2, NamespaceIndex.RecordsPerChunk)] // a partial chunk after full ones keeps the full stride
    [InlineData(52, 0, 64)] // a lone partial chunk is trimmed to its rows, rounded up to 16
    [InlineData(1024, 0, NamespaceIndex.RecordsPerChunk)]
    public void Vectors_read_back_exactly_from_full_and_partial_chunks(int count, int lastChunk, int lastStride)
    {
        var random = new Random(9);
        var vectors = Enumerable.Range(0, count).Select(_ => RandomUnit(random, 37)).ToList();
        var index = BuildIndex(vectors);

        Assert.Equal(lastChunk + 1, index.Chunks.Length);
        if (lastChunk > 0)
        {
            Assert.Equal(NamespaceIndex.RecordsPerChunk, index.ChunkStride(0));
        }

        Assert.Equal(lastStride, index.ChunkStride(lastChunk));
        Assert.Equal(lastStride * 37, index.Chunks[lastChunk].Length);
        for (var slot = 0; slot < vectors.Count; slot++)
        {
            Assert.Equal(vectors[slot], index.CopyVector(slot));
        }
    }

    [Theory]
    [InlineData(298, 5)] // the appends fit in the lone chunk's trimmed stride (304) and share it
    [InlineData(300, 40)] // the appends outgrow it: the chunk is copied at a larger stride
    [InlineData(1030, 5)] // the appends share a partial last chunk of full stride
    [InlineData(1024, 3)] // the appends open a new chunk
    public void Earlier_snapshots_keep_their_vectors_and_results_while_later_ones_overwrite_and_append(int count, int appended)
    {
        const int Dimension = 48;
        var random = new Random(count);
        var vectors = Enumerable.Range(0, count).Select(_ => RandomUnit(random, Dimension)).ToList();
        var before = BuildIndex(vectors);
        var queries = Queries(random, Dimension);
        var resultsBefore = queries.Select(q => before.Search(q.Query, 20, null, CancellationToken.None)).ToList();

        var builder = before.ToBuilder();
        var overwritten = new[] { 0, count / 2, count - 1 };
        foreach (var slot in overwritten)
        {
            builder.Upsert($"r{slot}", null, null, RandomUnit(random, Dimension));
        }

        var added = Enumerable.Range(0, appended).Select(_ => RandomUnit(random, Dimension)).ToList();
        for (var i = 0; i < appended; i++)
        {
            builder.Upsert($"new{i}", null, null, added[i]);
        }

        var after = builder.Build();

        for (var slot = 0; slot < count; slot++)
        {
            Assert.Equal(vectors[slot], before.CopyVector(slot));
        }

        for (var i = 0; i < queries.Count; i++)
        {
            Assert.Equal(resultsBefore[i], before.Search(queries[i].Query, 20, null, CancellationToken.None));
        }

        Assert.Equal(count, before.SlotCount);
        Assert.Equal(count + appended, after.SlotCount);
        Assert.All(overwritten, slot => Assert.NotEqual(vectors[slot], after.CopyVector(slot)));
        for (var i = 0; i < appended; i++)
        {
            Assert.Equal(added[i], after.CopyVector(count + i));
        }

        var byId = Enumerable.Range(0, after.SlotCount).ToDictionary(slot => after.Slots[slot]!.Id, after.CopyVector);
        foreach (var (name, query) in queries)
        {
            AssertExactTopK(after, byId, query, after.Search(query, 20, null, CancellationToken.None), 20, name);
        }
    }

    [Fact]
    public void Compaction_keeps_every_live_vector_and_the_exact_search()
    {
        const int Dimension = 33;
        var random = new Random(11);
        var vectors = Enumerable.Range(0, 3000).Select(_ => RandomUnit(random, Dimension)).ToList();
        var full = BuildIndex(vectors);
        var builder = full.ToBuilder();
        for (var i = 0; i < 3000; i++)
        {
            if (i % 7 != 0 && i % 11 != 0)
            {
                builder.Remove($"r{i}");
            }
        }

        var compacted = builder.Build();

        var live = Enumerable.Range(0, 3000).Where(i => i % 7 == 0 || i % 11 == 0).ToList();
        Assert.Equal(live.Count, compacted.SlotCount);
        Assert.Equal(NamespaceIndex.StrideFor(0, compacted.ChunkRows(0)), compacted.ChunkStride(0));
        for (var slot = 0; slot < live.Count; slot++)
        {
            Assert.Equal($"r{live[slot]}", compacted.Slots[slot]!.Id);
            Assert.Equal(vectors[live[slot]], compacted.CopyVector(slot));
        }

        var byId = live.ToDictionary(i => $"r{i}", i => vectors[i]);
        foreach (var (name, query) in Queries(random, Dimension))
        {
            AssertExactTopK(compacted, byId, query, compacted.Search(query, 15, null, CancellationToken.None), 15, name);
        }

        Assert.Equal(vectors[1], full.CopyVector(1));
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(300, 500)]
    [InlineData(500, 500)]
    [InlineData(5000, 500)]
    [InlineData(0, 900)]
    [InlineData(900, 900)]
    [InlineData(5000, 900)]
    public void Reserving_too_few_or_too_many_appends_still_ends_with_every_vector_and_the_right_strides(int reserved, int appended)
    {
        const int Dimension = 20;
        var random = new Random(reserved + appended);
        var first = Enumerable.Range(0, 300).Select(_ => RandomUnit(random, Dimension)).ToList();
        var index = BuildIndex(first);
        var builder = index.ToBuilder();
        builder.ReserveAppends(reserved);
        var more = Enumerable.Range(0, appended).Select(_ => RandomUnit(random, Dimension)).ToList();
        for (var i = 0; i < more.Count; i++)
        {
            builder.Upsert($"m{i}", null, null, more[i]);
        }

        var after = builder.Build();

        Assert.Equal(300 + appended, after.SlotCount);
        if (after.SlotCount <= NamespaceIndex.RecordsPerChunk)
        {
            Assert.Equal(NamespaceIndex.StrideFor(0, after.SlotCount), after.ChunkStride(0));
        }
        else
        {
            Assert.Equal(NamespaceIndex.RecordsPerChunk, after.ChunkStride(0));
            Assert.Equal(NamespaceIndex.RecordsPerChunk, after.ChunkStride(1));
        }
        var all = first.Concat(more).ToList();
        for (var slot = 0; slot < all.Count; slot++)
        {
            Assert.Equal(all[slot], after.CopyVector(slot));
        }

        for (var slot = 0; slot < first.Count; slot++)
        {
            Assert.Equal(first[slot], index.CopyVector(slot));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Many_equal_scores_across_chunks_keep_insertion_order_with_deletes_and_filters(bool filtered)
    {
        // Five distinct vectors repeated 2,600 times: identical vectors score bit-identically wherever they sit, so
        // the top k is decided by ties alone, across full and partial chunks, vector blocks and scalar tails.
        const int Dimension = 40;
        var random = new Random(21);
        var distinct = Enumerable.Range(0, 5).Select(_ => RandomUnit(random, Dimension)).ToArray();
        var builder = NamespaceIndex.Empty("ns", Dimension).ToBuilder();
        var live = new List<(int Slot, int Kind)>();
        for (var i = 0; i < 2600; i++)
        {
            var kind = (i * 7) % 5;
            var metadata = System.Text.Json.JsonDocument.Parse(i % 2 == 1 ? """{"odd":true}""" : """{"odd":false}""").RootElement.Clone();
            builder.Upsert($"r{i}", null, metadata, distinct[kind]);
            live.Add((i, kind));
        }

        var index = builder.Build();
        builder = index.ToBuilder();
        foreach (var i in new[] { 3, 8, 13, 1030, 2047, 2048 })
        {
            builder.Remove($"r{i}");
            live.RemoveAll(x => x.Slot == i);
        }

        index = builder.Build();
        var filter = filtered ? Core.Filtering.MetadataFilter.Parse("odd = true") : null;

        foreach (var query in Queries(random, Dimension).Select(q => q.Query).Append(distinct[2]))
        {
            // The score of each distinct vector, from a one-record index: the same operations as in any other row.
            var scoreOfKind = distinct.Select(v => BuildIndex([v]).Search(query, 1, null, CancellationToken.None)[0].Cosine).ToArray();

            var hits = index.Search(query, 40, filter, CancellationToken.None);

            var expected = live
                .Where(x => !filtered || x.Slot % 2 == 1)
                .OrderByDescending(x => scoreOfKind[x.Kind]).ThenBy(x => x.Slot).Take(40)
                .Select(x => (x.Slot, scoreOfKind[x.Kind]));
            Assert.Equal(expected, hits.Select(h => (h.Slot, h.Cosine)));
        }
    }

    [Fact]
    public void Overwriting_records_appended_in_the_same_batch_keeps_the_last_vector()
    {
        // Appends are written to their chunk in blocks; an overwrite may hit a block already written or one still waiting.
        const int Dimension = 10;
        var random = new Random(4);
        var index = BuildIndex(Enumerable.Range(0, 1020).Select(_ => RandomUnit(random, Dimension)).ToList());
        var builder = index.ToBuilder();
        var expected = Enumerable.Range(0, 1020).Select(index.CopyVector).ToList();
        for (var i = 0; i < 45; i++)
        {
            var vector = RandomUnit(random, Dimension);
            builder.Upsert($"n{i}", null, null, vector);
            expected.Add(vector);
            foreach (var again in new[] { i, i - 3, i - 17 })
            {
                if (again >= 0 && (i + again) % 4 == 0)
                {
                    expected[1020 + again] = RandomUnit(random, Dimension);
                    builder.Upsert($"n{again}", null, null, expected[1020 + again]);
                }
            }

            if (i % 9 == 0)
            {
                expected[i * 20] = RandomUnit(random, Dimension);
                builder.Upsert($"r{i * 20}", null, null, expected[i * 20]);
            }
        }

        var after = builder.Build();

        Assert.Equal(1065, after.SlotCount);
        for (var slot = 0; slot < expected.Count; slot++)
        {
            Assert.Equal(expected[slot], after.CopyVector(slot));
        }
    }

    [Fact]
    public void A_query_of_another_dimension_is_refused()
    {
        var index = BuildIndex([[1f, 0f, 0f]]);

        Assert.Throws<ArgumentException>(() => index.Search([1f, 0f], 1, null, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => index.ToBuilder().Upsert("x", null, null, [1f, 0f]));
    }
}
