using RagFood.Tests.Shared;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Core.Durable;
using RagFood.Providers.Tests.Sqlite;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Journal;

/// <summary>Dual writes between two real SQLite stores through the real SQLite journal, across simulated crashes.</summary>
public sealed class DualWriteRecoveryTests : IDisposable
{
    private static readonly FallbackVectorStoreOptions Dual = new()
    {
        WriteMode = WriteMode.Dual,
        ReplayInitialBackoff = TimeSpan.FromMilliseconds(1),
        ReplayMaxBackoff = TimeSpan.FromMilliseconds(8),
        ReplayMaxAttempts = 5,
    };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SqliteVectorStore Store(string name) => SqliteTestStores.Create(_directory.File(name));

    private static SqliteWriteJournal Journal(string path) => new(Options.Create(new SqliteWriteJournalOptions { Path = path }));

    private static UpsertRequest Foods(string @namespace, params string[] ids)
        => new([.. ids.Select(id => new VectorRecord(id)
        {
            Text = $"{id} is a dish with rice and spices",
            Metadata = JsonDocument.Parse($$"""{"name":"{{id}}","region":"India"}""").RootElement,
        })])
        { Namespace = @namespace };

    /// <summary>What a killed process leaves on disk: the journal's files as they are now, copied while it is open.</summary>
    private string CopyFilesAsAKilledProcessLeavesThem(string journalPath)
    {
        var crashed = _directory.File("crashed-journal.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(journalPath + suffix))
            {
                File.Copy(journalPath + suffix, crashed + suffix);
            }
        }

        return crashed;
    }

    [Fact]
    public async Task Acknowledged_writes_reach_the_secondary_after_a_crash_before_any_replay()
    {
        var journalPath = _directory.File("journal.db");
        string crashedJournal;
        await using (var primary = Store("primary.db"))
        await using (var secondary = Store("secondary.db"))
        await using (var journal = Journal(journalPath))
        {
            using var store = new ComposedFallback(primary, secondary, Dual, journal);
            await store.UpsertAsync(Foods("", "biryani", "dal", "idli", "dosa"));
            await store.UpsertAsync(Foods("snacks", "samosa", "pakora"));
            await store.DeleteAsync(DeleteRequest.ByIds("idli"));
            await store.UpsertAsync(Foods("", "dal"));

            // The process dies here: every write was acknowledged, none has reached the secondary.
            crashedJournal = CopyFilesAsAKilledProcessLeavesThem(journalPath);
            Assert.Empty(await secondary.FetchAsync(FetchRequest.ByPrefix("")));
        }

        await using var primaryAfter = Store("primary.db");
        await using var secondaryAfter = Store("secondary.db");
        await using var journalAfter = Journal(crashedJournal);
        using var restarted = new ComposedFallback(primaryAfter, secondaryAfter, Dual, journalAfter);

        Assert.Equal(4, await restarted.GetPendingWriteCountAsync());
        Assert.Equal(4, await restarted.ReplayPendingAsync());

        Assert.Equal(await StoreComparison.DumpAsync(primaryAfter), await StoreComparison.DumpAsync(secondaryAfter));
        Assert.Equal(0, await restarted.GetPendingWriteCountAsync());
        Assert.Equal(["biryani", "dal", "dosa"], (await secondaryAfter.FetchAsync(FetchRequest.ByPrefix(""))).Select(r => r!.Id).Order());
    }

    [Fact]
    public async Task An_entry_applied_but_not_marked_done_before_a_crash_is_applied_again_harmlessly()
    {
        var journalPath = _directory.File("journal.db");
        await using var primary = Store("primary.db");
        await using var secondary = Store("secondary.db");
        await using (var journal = Journal(journalPath))
        {
            var dying = new DiesBeforeMarkingDone(journal);
            using var store = new ComposedFallback(primary, secondary, Dual, dying);
            await store.UpsertAsync(Foods("", "biryani", "dal"));
            await store.DeleteAsync(DeleteRequest.ByIds("dal"));

            // The secondary applies the first entry, then the process "dies" before the journal learns it.
            await Assert.ThrowsAsync<IOException>(() => store.ReplayPendingAsync());
            Assert.Equal(2, (await journal.GetCountsAsync()).Pending);
        }

        await using var reopened = Journal(journalPath);
        using var restarted = new ComposedFallback(primary, secondary, Dual, reopened);

        Assert.Equal(2, await restarted.ReplayPendingAsync());
        Assert.Equal(await StoreComparison.DumpAsync(primary), await StoreComparison.DumpAsync(secondary));
    }

    [Fact]
    public async Task Replay_catches_up_with_a_secondary_that_was_down_for_a_while()
    {
        await using var primary = Store("primary.db");
        await using var secondaryFile = Store("secondary.db");
        var secondary = FaultInjectingVectorStore.Wrap(secondaryFile);
        await using var journal = Journal(_directory.File("journal.db"));
        using var store = new ComposedFallback(primary, secondary, Dual, journal);
        for (var i = 0; i < 5; i++)
        {
            await store.UpsertAsync(Foods("", $"dish-{i}"));
        }

        await store.DeleteAsync(DeleteRequest.ByIds("dish-2"));

        // Down for longer than one pass's attempts, then for a few calls more.
        secondary.FailNextWrites(Dual.ReplayMaxAttempts + 3);
        var firstPass = await store.ReplayPendingAsync();
        var stalled = await store.GetReplayStatusAsync();
        var secondPass = await store.ReplayPendingAsync();

        Assert.Equal(0, firstPass);
        Assert.Equal(6, stalled.Pending);
        Assert.NotNull(stalled.LastError);
        Assert.Equal(6, secondPass);
        Assert.Equal(await StoreComparison.DumpAsync(primary), await StoreComparison.DumpAsync(secondaryFile));
        Assert.Null((await store.GetReplayStatusAsync()).LastError);
    }

    [Fact]
    public async Task Reads_fall_back_to_the_replayed_secondary_when_the_primary_goes_down()
    {
        await using var primaryFile = Store("primary.db");
        await using var secondary = Store("secondary.db");
        var primary = FaultInjectingVectorStore.Wrap(primaryFile, "primary-sqlite");
        await using var journal = Journal(_directory.File("journal.db"));
        using var store = new ComposedFallback(primary, secondary, Dual, journal);
        await store.VerifyEmbeddingSpacesAsync();
        await store.UpsertAsync(Foods("", "biryani", "dal", "dosa"));
        await store.ReplayPendingAsync();

        primary.Fail(() => new VectorStoreException(primary.Name, VectorStoreErrorKind.CircuitOpen, "circuit open (simulated)"), operations: "Query");
        using var scope = ServingScope.Begin();
        var matches = await store.QueryAsync(VectorQuery.ForText("dal is a dish with rice and spices", topK: 1));

        Assert.Equal("dal", Assert.Single(matches).Id);
        Assert.Equal(SqliteVectorStore.ProviderName, scope.StoreName);
        Assert.True(scope.FallbackUsed);
    }

    /// <summary>A journal whose process dies (an I/O error here) right after the secondary applied an entry.</summary>
    private sealed class DiesBeforeMarkingDone(IWriteJournal inner) : IWriteJournal
    {
        public Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default) => inner.AppendAsync(write, cancellationToken);

        public Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default) => inner.ReadPendingAsync(maxCount, cancellationToken);

        public Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default) => throw new IOException("process killed");

        public Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default) => inner.ParkAsync(sequence, reason, cancellationToken);

        public Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);
    }
}
