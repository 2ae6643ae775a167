using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Core.Durable;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Journal;

public sealed class SqliteWriteJournalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private SqliteWriteJournal Open(string name = "journal.db", TimeSpan? busyTimeout = null)
        => new(Options.Create(new SqliteWriteJournalOptions
        {
            Path = _directory.File(name),
            BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5),
        }));

    private static JournaledWrite Upsert(string id, float[]? vector = null)
        => JournaledWrite.ForUpsert(new UpsertRequest(
        [
            new VectorRecord(id)
            {
                Text = $"{id} is a food",
                Vector = vector,
                Metadata = JsonDocument.Parse($$"""{"region":"India","tags":["{{id}}"],"price":8.5}""").RootElement,
            },
        ])
        { Namespace = "foods" });

    public void Dispose() => _directory.Dispose();

    /// <summary>Holds the file's gate on another thread until released, so appends made meanwhile queue up behind it.</summary>
    private static HeldFile Hold(DurableSideFile file)
    {
        var holding = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        var holder = Task.Run(() => file.UseAsync(_ =>
        {
            holding.Set();
            release.Wait();
            return 0;
        }));
        holding.Wait();
        holding.Dispose();
        return new HeldFile(release, holder);
    }

    private sealed record HeldFile(ManualResetEventSlim Release, Task Holder)
    {
        public async Task ReleaseAsync()
        {
            Release.Set();
            await Holder;
            Release.Dispose();
        }
    }

    [Fact]
    public async Task Appended_entries_survive_reopening_in_their_order_with_vectors_and_metadata_intact()
    {
        JournaledWrite[] writes =
        [
            Upsert("dal", [0.1f, -0.25f, 1e-7f]),
            JournaledWrite.ForDelete(new DeleteRequest { Ids = ["old"], Namespace = "foods" }),
            JournaledWrite.ForDelete(new DeleteRequest { Prefix = "tmp-" }),
            JournaledWrite.ForReset("", all: true),
            JournaledWrite.ForDeleteNamespace("drinks"),
        ];
        var sequences = new List<long>();
        await using (var journal = Open())
        {
            foreach (var write in writes)
            {
                sequences.Add(await journal.AppendAsync(write));
            }
        }

        await using var reopened = Open();
        var pending = await reopened.ReadPendingAsync(100);

        Assert.Equal(sequences, pending.Select(e => e.Sequence));
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(writes, pending.Select(e => e.Write));
        Assert.Equal([0.1f, -0.25f, 1e-7f], pending[0].Write.Records![0].Vector!);
        Assert.Equal(new WriteJournalCounts(5, 0), await reopened.GetCountsAsync());
    }

    [Fact]
    public async Task Pending_entries_are_read_in_batches_lowest_sequence_first()
    {
        await using var journal = Open();
        for (var i = 0; i < 7; i++)
        {
            await journal.AppendAsync(Upsert($"food-{i}"));
        }

        var first = await journal.ReadPendingAsync(3);
        foreach (var entry in first)
        {
            await journal.MarkDoneAsync(entry.Sequence);
        }

        var rest = await journal.ReadPendingAsync(10);

        Assert.Equal(["food-0", "food-1", "food-2"], first.Select(e => e.Write.Records![0].Id));
        Assert.Equal(["food-3", "food-4", "food-5", "food-6"], rest.Select(e => e.Write.Records![0].Id));
    }

    [Fact]
    public async Task Done_entries_are_removed_and_parked_ones_are_kept_with_their_reason_across_reopen()
    {
        long parkedSequence;
        await using (var journal = Open())
        {
            var done = await journal.AppendAsync(Upsert("a"));
            parkedSequence = await journal.AppendAsync(Upsert("b"));
            await journal.AppendAsync(Upsert("c"));
            await journal.MarkDoneAsync(done);
            await journal.ParkAsync(parkedSequence, "InvalidRequest: metadata too large");
        }

        await using var reopened = Open();

        Assert.Equal(new WriteJournalCounts(1, 1), await reopened.GetCountsAsync());
        Assert.Equal("c", Assert.Single(await reopened.ReadPendingAsync(10)).Write.Records![0].Id);
        Assert.Equal((parkedSequence, "InvalidRequest: metadata too large"), Assert.Single(await reopened.ReadParkedAsync()));
    }

    [Fact]
    public async Task Sequence_numbers_keep_growing_after_the_journal_drains_and_reopens()
    {
        long last;
        await using (var journal = Open())
        {
            last = await journal.AppendAsync(Upsert("a"));
            await journal.MarkDoneAsync(last);
        }

        await using var reopened = Open();
        var next = await reopened.AppendAsync(Upsert("b"));

        Assert.True(next > last, $"sequence {next} should follow {last}");
    }

    [Fact]
    public async Task The_journal_file_is_in_wal_mode()
    {
        var path = _directory.File("journal.db");
        await using (var journal = Open())
        {
            await journal.AppendAsync(Upsert("a"));
        }

        await using var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await raw.OpenAsync();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_second_journal_on_the_same_file_is_refused_while_the_first_owns_it()
    {
        await using var owner = Open();
        await owner.AppendAsync(Upsert("a"));
        await using var intruder = Open(busyTimeout: TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<SqliteException>(() => intruder.ReadPendingAsync(10));
        Assert.Equal(1, (await owner.GetCountsAsync()).Pending);
    }

    [Fact]
    public async Task An_unreadable_row_is_parked_so_it_does_not_block_later_entries()
    {
        var path = _directory.File("journal.db");
        await using (var journal = Open())
        {
            await journal.AppendAsync(Upsert("a"));
        }

        await using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await raw.OpenAsync();
            using var command = raw.CreateCommand();
            command.CommandText = """
                INSERT INTO journal_entries (journaled_at, operation, namespace, payload) VALUES ('2026-01-01T00:00:00Z', 'Upsert', '', '{not json');
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var reopened = Open();
        await reopened.AppendAsync(Upsert("c"));
        var pending = await reopened.ReadPendingAsync(10);

        Assert.Equal(["a", "c"], pending.Select(e => e.Write.Records![0].Id));
        Assert.Contains("Unreadable", Assert.Single(await reopened.ReadParkedAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_a_path_are_refused()
        => Assert.Throws<ArgumentException>(() => new SqliteWriteJournal(Options.Create(new SqliteWriteJournalOptions { Path = " " })));

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 20)]
    public async Task Appends_that_wait_together_share_one_commit_unless_group_commit_is_off(bool groupCommit, int expectedCommits)
    {
        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = _directory.File("grouped.db"), GroupCommit = groupCommit });
        var journals = new SqliteWriteJournalFactory(file);
        await journals.For("chroma").GetCountsAsync();
        await journals.For("upstash").GetCountsAsync();

        // Hold the file while 20 appends queue up behind it (each runs synchronously up to the file's gate).
        var held = Hold(file);
        var commitsBefore = file.GroupCommits;
        var appends = Enumerable.Range(0, 20).Select(i => journals.For(i % 2 == 0 ? "chroma" : "upstash").AppendAsync(Upsert($"r{i}"))).ToList();
        await held.ReleaseAsync();
        var sequences = await Task.WhenAll(appends);

        Assert.Equal(expectedCommits, file.GroupCommits - commitsBefore);
        Assert.Equal(20, sequences.Distinct().Count());
        // Sequences follow the order the appends were made, across targets.
        Assert.Equal(sequences.Order(), sequences);
        var pending = (await journals.For("chroma").ReadPendingAsync(100)).Concat(await journals.For("upstash").ReadPendingAsync(100));
        Assert.Equal(
            Enumerable.Range(0, 20).Select(i => $"r{i}"),
            pending.OrderBy(e => e.Sequence).Select(e => Assert.Single(e.Write.Records!).Id));
    }

    [Fact]
    public async Task An_append_cancelled_while_it_waits_for_the_file_is_not_written()
    {
        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = _directory.File("cancelled.db") });
        var journal = new SqliteWriteJournalFactory(file).For("chroma");
        await journal.GetCountsAsync();
        var held = Hold(file);
        using var cancel = new CancellationTokenSource();
        var cancelled = journal.AppendAsync(Upsert("gone"), cancel.Token);
        var kept = journal.AppendAsync(Upsert("kept"));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await held.ReleaseAsync();
        await kept;
        Assert.Equal("kept", Assert.Single(Assert.Single(await journal.ReadPendingAsync(10)).Write.Records!).Id);
    }

    [Fact]
    public void A_group_commit_batch_limit_outside_1_to_4096_is_refused()
        => Assert.Throws<ArgumentException>(() => new DurableSideFile(new DurableSideFileOptions { Path = _directory.File("x.db"), MaxGroupCommitBatch = 0 }));

    [Fact]
    public async Task Journals_of_two_targets_share_one_file_and_keep_their_own_entries()
    {
        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = _directory.File("shared.db") });
        var journals = new SqliteWriteJournalFactory(file);
        await journals.For("chroma").AppendAsync(Upsert("a"));
        await journals.For("upstash").AppendAsync(Upsert("b"));
        await journals.For("upstash").AppendAsync(Upsert("c"));

        var forChroma = await journals.For("chroma").ReadPendingAsync(10);
        var forUpstash = await journals.For("upstash").GetBacklogAsync(10);

        Assert.Equal("a", Assert.Single(Assert.Single(forChroma).Write.Records!).Id);
        Assert.Equal(new WriteJournalCounts(2, 0), forUpstash.Counts);
        Assert.NotNull(forUpstash.OldestPendingAt);
        Assert.Same(journals.For("chroma"), journals.For("chroma"));
    }

    [Fact]
    public async Task A_version_one_journal_is_migrated_and_its_entries_are_read_by_the_single_target_journal()
    {
        var path = _directory.File("v1.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE journal_entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, journaled_at TEXT NOT NULL, operation TEXT NOT NULL,
                    namespace TEXT NOT NULL, payload TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0, parked_reason TEXT, parked_at TEXT);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
            command.CommandText = "INSERT INTO journal_entries (journaled_at, operation, namespace, payload) VALUES ($at, 'Upsert', 'foods', $payload)";
            command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            command.Parameters.AddWithValue("$payload", Upsert("legacy").ToJson());
            command.ExecuteNonQuery();
        }

        await using var journal = new SqliteWriteJournal(Options.Create(new SqliteWriteJournalOptions { Path = path }));

        var pending = await journal.ReadPendingAsync(10);

        Assert.Equal("legacy", Assert.Single(Assert.Single(pending).Write.Records!).Id);
    }

    [Fact]
    public async Task Untargeted_entries_are_adopted_by_the_fallback_journal()
    {
        await using var file = new DurableSideFile(new DurableSideFileOptions { Path = _directory.File("adopt.db") });
        var journals = new SqliteWriteJournalFactory(file);
        await journals.For("").AppendAsync(Upsert("old"));

        var adopted = await journals.AdoptUntargetedAsync("chroma");

        Assert.Equal(1, adopted);
        Assert.Equal("old", Assert.Single(Assert.Single(await journals.For("chroma").ReadPendingAsync(10)).Write.Records!).Id);
        Assert.Empty(await journals.For("").ReadPendingAsync(10));
    }
}
