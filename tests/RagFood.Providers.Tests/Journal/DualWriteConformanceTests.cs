using RagFood.Tests.Shared;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;
using RagFood.Core.Durable;
using RagFood.Providers.Tests.Conformance;
using RagFood.Providers.Tests.Sqlite;
using RagFood.Providers.Tests.Support;

namespace RagFood.Providers.Tests.Journal;

/// <summary>The conformance suite through a Dual-write <see cref="ComposedFallback"/> over two SQLite files: the
/// decorator must be transparent, and after each test the journal replay must leave the secondary equal to the
/// primary.</summary>
public sealed class DualWriteConformanceTests : VectorStoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();
    private SqliteVectorStore? _primary;
    private SqliteVectorStore? _secondary;
    private SqliteWriteJournal? _journal;

    protected override Task<IVectorStore> CreateStoreAsync()
    {
        _primary = SqliteTestStores.Create(_directory.File("primary.db"));
        _secondary = SqliteTestStores.Create(_directory.File("secondary.db"));
        _journal = new SqliteWriteJournal(Options.Create(new SqliteWriteJournalOptions { Path = _directory.File("journal.db") }));
        return Task.FromResult<IVectorStore>(new ComposedFallback(
            _primary, _secondary, new FallbackVectorStoreOptions { WriteMode = WriteMode.Dual }, _journal));
    }

    protected override async Task DisposeStoreAsync(IVectorStore store)
    {
        var fallback = (ComposedFallback)store;
        await fallback.ReplayPendingAsync();
        var status = await fallback.GetReplayStatusAsync();
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.Parked);
        Assert.Equal(await StoreComparison.DumpAsync(_primary!), await StoreComparison.DumpAsync(_secondary!));

        fallback.Dispose();
        await _journal!.DisposeAsync();
        await _primary!.DisposeAsync();
        await _secondary!.DisposeAsync();
    }

    public void Dispose() => _directory.Dispose();
}
