using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFood.Core.Corpus;
using RagFood.Core.Filtering;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Providers.Tests.Support;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>What the SQLite store promises beyond the shared contract: the file, the space, the sequence.</summary>
public sealed class SqliteVectorStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DbPath => _directory.File("store.db");

    public void Dispose() => _directory.Dispose();

    private static VectorRecord Food(string id, string text, string? metadataJson = null) => new(id)
    {
        Text = text,
        Metadata = metadataJson is null ? null : JsonDocument.Parse(metadataJson).RootElement.Clone(),
    };

    [Fact]
    public async Task Records_namespaces_and_order_survive_closing_and_reopening_the_file()
    {
        await using (var store = SqliteTestStores.Create(DbPath))
        {
            await store.UpsertAsync(new UpsertRequest([Food("a", "apple pie", """{"n":1}"""), Food("b", "banana bread"), Food("c", "cherry tart")]));
            await store.UpsertAsync(new UpsertRequest([Food("x", "kept namespace")]) { Namespace = "emptied" });
            await store.ResetAsync("emptied");
            await store.DeleteAsync(DeleteRequest.ByIds("b"));
        }

        await using (var reopened = SqliteTestStores.Create(DbPath))
        {
            var fetched = await reopened.FetchAsync(new FetchRequest { Ids = ["a", "b", "c"], Include = Include.All });
            Assert.Equal("apple pie", fetched[0]?.Text);
            Assert.Equal(1, fetched[0]?.Metadata?.GetProperty("n").GetInt32());
            Assert.Equal(64, fetched[0]?.Vector?.Length);
            Assert.Null(fetched[1]);
            Assert.Equal("cherry tart", fetched[2]?.Text);
            Assert.Equal(["", "emptied"], await reopened.ListNamespacesAsync());

            var matches = await reopened.QueryAsync(VectorQuery.ForText("cherry tart", 1));
            Assert.Equal("c", matches[0].Id);
            Assert.Equal(1f, matches[0].Score, 1e-5f);

            await reopened.UpsertAsync(new UpsertRequest([Food("d", "date cake")]));
            var page = await reopened.RangeAsync(new RangeRequest { Limit = 10 });
            Assert.Equal(["a", "c", "d"], page.Records.Select(r => r.Id));
        }
    }

    [Fact]
    public async Task The_stored_content_hash_is_the_one_migration_checks_compute_from_a_read_back_record()
    {
        await using (var store = SqliteTestStores.Create(DbPath))
        {
            await store.UpsertAsync(new UpsertRequest([Food("a", "apple pie", """{"z":1,"a":{"y":2,"b":[1,"x"]}}"""), Food("b", "banana bread")]));
        }

        var stored = new Dictionary<string, string>();
        await using (var connection = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, content_hash FROM records";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = reader.GetString(1);
            }
        }

        await using var reopened = SqliteTestStores.Create(DbPath);
        var records = await reopened.FetchAsync(new FetchRequest { Ids = ["a", "b"], Include = Include.All });
        Assert.Equal(2, stored.Count);
        Assert.All(records, r => Assert.Equal(RecordContentHash.Compute(r!.Text, r.Metadata, hasVector: false), stored[r.Id]));
    }

    [Theory]
    [InlineData("Test-Model:latest", "test-model")]
    [InlineData("test-model", " TEST-MODEL:LATEST ")]
    public async Task A_file_reopens_with_the_same_model_named_in_another_case_or_with_ollamas_latest_tag(string written, string reopenedWith)
    {
        await using (var store = SqliteTestStores.Create(DbPath, new RenamedEmbedder(new WordHashEmbeddingGenerator(64), written)))
        {
            await store.UpsertAsync(new UpsertRequest([Food("a", "apple pie")]));
        }

        await using var reopened = SqliteTestStores.Create(DbPath, new RenamedEmbedder(new WordHashEmbeddingGenerator(64), reopenedWith));
        var matches = await reopened.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal("a", Assert.Single(matches).Id);
    }

    [Fact]
    public async Task A_file_written_by_one_model_refuses_another_model_of_the_same_dimension()
    {
        await using (var store = SqliteTestStores.Create(DbPath, new RenamedEmbedder(new WordHashEmbeddingGenerator(64), "test-model")))
        {
            await store.UpsertAsync(new UpsertRequest([Food("a", "apple pie")]));
        }

        await using var reopened = SqliteTestStores.Create(DbPath, new RenamedEmbedder(new WordHashEmbeddingGenerator(64), "test-model:v2"));
        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => reopened.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Equal("test-model", error.Expected.Model);
        Assert.Equal("test-model:v2", error.Actual.Model);
    }

    [Fact]
    public async Task Opening_a_file_with_an_embedder_of_another_dimension_names_both_spaces()
    {
        await using (var store = SqliteTestStores.Create(DbPath, new WordHashEmbeddingGenerator(64)))
        {
            await store.UpsertAsync(new UpsertRequest([Food("a", "apple")]));
        }

        await using var reopened = SqliteTestStores.Create(DbPath, new WordHashEmbeddingGenerator(128));
        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => reopened.QueryAsync(VectorQuery.ForText("apple")));

        Assert.Equal(new EmbeddingSpace("test-word-hash-64", 64), error.Expected);
        Assert.Equal(new EmbeddingSpace("test-word-hash-128", 128), error.Actual);
        Assert.Contains("test-word-hash-64", error.Message);
        Assert.Contains("test-word-hash-128", error.Message);
        Assert.Equal("sqlite", error.StoreName);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Opening_a_file_with_another_model_of_the_same_dimension_is_refused()
    {
        await using (var store = SqliteTestStores.Create(DbPath, new WordHashEmbeddingGenerator(64)))
        {
            await store.OpenAsync();
        }

        var options = Options.Create(new SqliteVectorStoreOptions { Path = DbPath });
        await using var reopened = new SqliteVectorStore(options, new RenamedEmbedder(new WordHashEmbeddingGenerator(64), "other-model"));

        var error = await Assert.ThrowsAsync<EmbeddingSpaceMismatchException>(() => reopened.OpenAsync());
        Assert.Equal("other-model", error.Actual.Model);
        Assert.Equal("test-word-hash-64", error.Expected.Model);
    }

    [Fact]
    public async Task A_second_store_on_an_open_file_fails_as_unavailable_instead_of_serving_stale_data()
    {
        await using var owner = SqliteTestStores.Create(DbPath);
        await owner.UpsertAsync(new UpsertRequest([Food("a", "apple")]));
        var options = Options.Create(new SqliteVectorStoreOptions { Path = DbPath, BusyTimeout = TimeSpan.FromSeconds(1) });
        await using var intruder = new SqliteVectorStore(options, new WordHashEmbeddingGenerator());

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => intruder.OpenAsync());

        Assert.Equal(VectorStoreErrorKind.Unavailable, error.Kind);
        Assert.Contains("locked", error.Message);
    }

    [Fact]
    public async Task An_acknowledged_upsert_is_in_the_files_a_killed_process_would_leave_behind()
    {
        // kill -9 loses nothing the OS already has; copying the database and its WAL while the store still holds
        // them open captures exactly that state, without the store closing (and checkpointing) cleanly.
        var copy = _directory.File("copy.db");
        await using (var store = SqliteTestStores.Create(DbPath))
        {
            await store.UpsertAsync(new UpsertRequest([.. Enumerable.Range(0, 50).Select(i => Food($"r{i}", $"record {i}"))]));
            await store.DeleteAsync(DeleteRequest.ByIds("r7"));
            Assert.True(File.Exists(DbPath + "-wal"));
            File.Copy(DbPath, copy);
            File.Copy(DbPath + "-wal", copy + "-wal");
        }

        await using var recovered = SqliteTestStores.Create(copy);
        var info = await recovered.GetInfoAsync();
        Assert.Equal(49, info.Namespaces[""]);
        Assert.Null((await recovered.FetchAsync(FetchRequest.ByIds("r7")))[0]);
        Assert.Equal("record 49", (await recovered.FetchAsync(FetchRequest.ByIds("r49")))[0]?.Text);
    }

    [Fact]
    public async Task Overwriting_a_record_keeps_its_place_in_range_order()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        await store.UpsertAsync(new UpsertRequest([Food("a", "one"), Food("b", "two"), Food("c", "three")]));

        await store.UpsertAsync(new UpsertRequest([Food("a", "one again"), Food("d", "four")]));

        var page = await store.RangeAsync(new RangeRequest { Limit = 10 });
        Assert.Equal(["a", "b", "c", "d"], page.Records.Select(r => r.Id));
        Assert.Equal("one again", page.Records[0].Text);
    }

    [Fact]
    public async Task Range_cursors_are_decimal_positions_that_restart_at_zero_after_reset()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        await store.UpsertAsync(new UpsertRequest([.. Enumerable.Range(0, 8).Select(i => Food($"old{i}", $"old {i}"))]));
        await store.ResetAsync();
        await store.UpsertAsync(new UpsertRequest([.. Enumerable.Range(0, 8).Select(i => Food($"id{i}", $"item {i}"))]));

        var first = await store.RangeAsync(new RangeRequest { Cursor = "0", Limit = 5 });
        var rest = await store.RangeAsync(new RangeRequest { Cursor = first.NextCursor, Limit = 5 });

        Assert.Equal("5", first.NextCursor);
        Assert.Equal(["id5", "id6", "id7"], rest.Records.Select(r => r.Id));
        Assert.Equal("", rest.NextCursor);
    }

    [Fact]
    public async Task Range_with_a_prefix_pages_only_matching_ids()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        await store.UpsertAsync(new UpsertRequest([
            Food("fruit-1", "a"), Food("veg-1", "b"), Food("fruit-2", "c"), Food("fruit-3", "d"), Food("veg-2", "e"), Food("fruit-4", "f"),
        ]));

        var first = await store.RangeAsync(new RangeRequest { Limit = 2, Prefix = "fruit-" });
        var second = await store.RangeAsync(new RangeRequest { Cursor = first.NextCursor, Limit = 2, Prefix = "fruit-" });

        Assert.Equal(["fruit-1", "fruit-2"], first.Records.Select(r => r.Id));
        Assert.Equal(["fruit-3", "fruit-4"], second.Records.Select(r => r.Id));
        Assert.Equal("", second.NextCursor);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task A_cursor_that_is_not_a_position_is_an_argument_error(string cursor)
    {
        await using var store = SqliteTestStores.Create(DbPath);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RangeAsync(new RangeRequest { Cursor = cursor }));
    }

    [Fact]
    public async Task Equal_scores_come_back_in_insertion_order()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        var vector = new float[64];
        vector[5] = 1f;
        await store.UpsertAsync(new UpsertRequest([.. new[] { "z", "m", "a", "q" }.Select(id => new VectorRecord(id) { Vector = vector })]));
        await store.UpsertAsync(new UpsertRequest([new VectorRecord("m") { Vector = vector, Text = "overwritten keeps place" }]));

        var matches = await store.QueryAsync(VectorQuery.ForVector(vector, 3));

        Assert.Equal(["z", "m", "a"], matches.Select(m => m.Id));
    }

    [Fact]
    public async Task Vectors_and_query_results_are_the_same_after_loading_more_than_a_chunk_from_the_file()
    {
        // 1,500 records: a full in-memory chunk and a partial one, rebuilt from the file's rows on reopen.
        var random = new Random(17);
        var records = Enumerable.Range(0, 1500).Select(i => new VectorRecord($"v{i}")
        {
            Vector = [.. Enumerable.Range(0, SqliteTestStores.Dimension).Select(_ => (float)((random.NextDouble() * 2) - 1))],
        }).ToList();
        var sparse = new float[SqliteTestStores.Dimension];
        sparse[3] = 0.6f;
        sparse[40] = -0.8f;
        var queries = new[] { VectorQuery.ForVector(records[1234].Vector!, 10), VectorQuery.ForVector(sparse, 10) };
        async Task<List<VectorRecord?>> FetchAll(SqliteVectorStore store)
        {
            var all = new List<VectorRecord?>();
            foreach (var page in records.Chunk(VectorStoreLimits.MaxBatchSize))
            {
                all.AddRange(await store.FetchAsync(new FetchRequest { Ids = [.. page.Select(r => r.Id)], Include = Include.All }));
            }

            return all;
        }

        List<VectorRecord?> fetchedBefore;
        var resultsBefore = new List<IReadOnlyList<ScoredRecord>>();
        await using (var store = SqliteTestStores.Create(DbPath))
        {
            await store.UpsertAsync(new UpsertRequest(records[..1000]));
            await store.UpsertAsync(new UpsertRequest(records[1000..]));
            fetchedBefore = await FetchAll(store);
            foreach (var query in queries)
            {
                resultsBefore.Add(await store.QueryAsync(query));
            }
        }

        await using var reopened = SqliteTestStores.Create(DbPath);
        var fetched = await FetchAll(reopened);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(fetchedBefore[i]!.Vector, fetched[i]!.Vector);
        }

        for (var q = 0; q < queries.Length; q++)
        {
            var results = await reopened.QueryAsync(queries[q]);
            Assert.Equal(resultsBefore[q].Select(r => (r.Id, r.RawScore)), results.Select(r => (r.Id, r.RawScore)));
        }

        Assert.Equal("v1234", resultsBefore[0][0].Id);
    }

    [Fact]
    public async Task Vectors_are_stored_as_unit_vectors_since_cosine_ignores_length()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        var vector = new float[64];
        vector[0] = 3f;
        vector[1] = 4f;

        await store.UpsertAsync(new UpsertRequest([new VectorRecord("v") { Vector = vector }]));

        var fetched = (await store.FetchAsync(new FetchRequest { Ids = ["v"], Include = Include.All }))[0];
        Assert.Equal(0.6f, fetched!.Vector![0], 1e-6f);
        Assert.Equal(0.8f, fetched.Vector[1], 1e-6f);
        Assert.Null(fetched.Text);
    }

    [Fact]
    public async Task A_zero_vector_is_an_argument_error()
    {
        await using var store = SqliteTestStores.Create(DbPath);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync(new UpsertRequest([new VectorRecord("z") { Vector = new float[64] }])));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.QueryAsync(VectorQuery.ForVector(new float[64])));
    }

    [Fact]
    public async Task A_wrong_dimension_message_names_both_numbers()
    {
        await using var store = SqliteTestStores.Create(DbPath);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.QueryAsync(VectorQuery.ForVector(new float[65])));

        Assert.Contains("65", error.Message);
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public async Task Upsert_limits_are_enforced_before_anything_is_written()
    {
        await using var store = SqliteTestStores.Create(DbPath);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync(new UpsertRequest([Food(new string('x', 513), "too long an id")])));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync(new UpsertRequest([.. Enumerable.Range(0, 1001).Select(i => Food($"r{i}", "x"))])));
        Assert.Equal(0, (await store.UpsertAsync(new UpsertRequest([]))).Upserted); // the kernel's rule: an empty upsert is a no-op
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UpsertAsync(new UpsertRequest([Food("ok", "fine"), Food("arr", "bad metadata", "[1,2]")])));

        Assert.Equal(0, (await store.GetInfoAsync()).VectorCount);
    }

    [Fact]
    public async Task Texts_are_embedded_in_batches_and_unchanged_texts_are_not_embedded_again()
    {
        var embedder = new WordHashEmbeddingGenerator();
        await using var store = SqliteTestStores.Create(DbPath, embedder, batchSize: 3);
        await store.OpenAsync();
        var before = embedder.Calls;
        var records = Enumerable.Range(0, 10).Select(i => Food($"r{i}", $"text number {i}")).ToArray();

        await store.UpsertAsync(new UpsertRequest(records));
        var afterFirst = embedder.Calls;
        await store.UpsertAsync(new UpsertRequest([.. records.Select(r => r with { Metadata = JsonDocument.Parse("""{"v":2}""").RootElement })]));
        var afterSame = embedder.Calls;
        await store.UpsertAsync(new UpsertRequest([Food("r0", "a changed text")]));

        Assert.Equal(4, afterFirst - before);
        Assert.Equal(afterFirst, afterSame);
        Assert.Equal(afterSame + 1, embedder.Calls);
        Assert.Equal(2, (await store.FetchAsync(FetchRequest.ByIds("r5")))[0]?.Metadata?.GetProperty("v").GetInt32());
    }

    [Theory]
    [InlineData("name GLOB 'ch*'", "chana,churro")]
    [InlineData("name GLOB '?ho'", "pho")]
    [InlineData("name GLOB '[cp]h*'", "chana,churro,pho")]
    [InlineData("name NOT GLOB '*o'", "chana")]
    [InlineData("tags CONTAINS 'fried'", "churro")]
    [InlineData("scores CONTAINS 7", "pho")]
    [InlineData("tags NOT CONTAINS 'soup'", "chana,churro")]
    [InlineData("tags[#-1] = 'vegan'", "chana")]
    [InlineData("HAS FIELD spicy", "chana")]
    [InlineData("HAS NOT FIELD spicy", "churro,pho,plain")]
    [InlineData("info.kcal > 300 AND info.kcal <= 450", "churro")]
    [InlineData("spicy = true", "chana")]
    public async Task Filters_are_evaluated_in_process_with_the_full_language(string filter, string expected)
    {
        await using var store = SqliteTestStores.Create(DbPath);
        await store.UpsertAsync(new UpsertRequest([
            Food("chana", "chickpea curry", """{"name":"chana","tags":["curry","vegan"],"scores":[1,2],"spicy":true,"info":{"kcal":280}}"""),
            Food("churro", "fried dough", """{"name":"churro","tags":["fried"],"scores":[3],"info":{"kcal":450}}"""),
            Food("pho", "noodle soup", """{"name":"pho","tags":["soup","noodle"],"scores":[7],"info":{"kcal":500}}"""),
            Food("plain", "no metadata at all"),
        ]));

        var matches = await store.QueryAsync(new VectorQuery { Text = "food", TopK = 10, Filter = MetadataFilter.Parse(filter) });

        Assert.Equal(expected.Split(',').ToHashSet(), matches.Select(m => m.Id).ToHashSet());
    }

    [Fact]
    public async Task Many_concurrent_queries_while_writers_upsert_and_delete_see_no_errors_and_counts_end_right()
    {
        await using var store = SqliteTestStores.Create(DbPath);
        await store.UpsertAsync(new UpsertRequest([.. Enumerable.Range(0, 200).Select(i => Food($"seed-{i}", $"seed food {i % 17} bowl"))]));
        using var stop = new CancellationTokenSource();
        var queries = 0L;
        var readersRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var readers = Enumerable.Range(0, 6).Select(r => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var matches = await store.QueryAsync(new VectorQuery { Text = $"food {r} bowl", TopK = 5, Filter = MetadataFilter.Parse("w >= 0") });
                Assert.True(matches.Count <= 5);
                Assert.All(matches, m => Assert.InRange(m.Score, 0f, 1f));
                var page = await store.RangeAsync(new RangeRequest { Limit = 50 });
                Assert.Equal(page.Records.Select(x => x.Id).Distinct().Count(), page.Records.Count);
                Interlocked.Increment(ref queries);
                readersRunning.TrySetResult();
            }
        })).ToArray();

        // Writers start once readers are querying, so reads and writes overlap however busy the machine is.
        // (A reader that fails before its first query ends the wait too; WhenAll below rethrows its error.)
        await Task.WhenAny(readersRunning.Task, Task.WhenAll(readers));
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var batch = 0; batch < 20; batch++)
            {
                var records = Enumerable.Range(0, 25).Select(i => Food($"w{w}-{batch}-{i}", $"writer {w} dish {i} bowl", $$"""{"w":{{w}}}"""));
                await store.UpsertAsync(new UpsertRequest([.. records]));
                await store.DeleteAsync(DeleteRequest.ByIds($"w{w}-{batch}-0"));
            }
        })).ToArray();

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var info = await store.GetInfoAsync();
        Assert.Equal(200 + (3 * 20 * 24), info.Namespaces[""]);
        var all = await store.QueryAsync(new VectorQuery { Text = "bowl", TopK = 1000, Filter = MetadataFilter.Parse("w = 1") });
        Assert.Equal(20 * 24, all.Count);
    }

    [Fact]
    public async Task Using_a_disposed_store_throws_object_disposed()
    {
        var store = SqliteTestStores.Create(DbPath);
        await store.OpenAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.QueryAsync(VectorQuery.ForText("x")));
    }
}
