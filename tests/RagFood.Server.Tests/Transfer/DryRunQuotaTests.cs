using System.Globalization;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests.Transfer;

/// <summary>A migration's dry run says whether the real run fits in what is left of today's Upstash quota (the
/// emulator, a small configured daily limit), and writes nothing either way.</summary>
public sealed class DryRunQuotaTests : IAsyncLifetime
{
    private const int Records = 10;
    private RunningEmulator _emulator = null!;
    private ServerHost _server = null!;
    private string _file = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        _server = await ServerHost.StartAsync(ServerHost.OnUpstash(_emulator,
            ("Usage:Plans:upstash:DailyWriteLimit", "4"),
            ("Usage:Plans:upstash:DailyReadLimit", "1000"),
            ("Health:ProbeInterval", "01:00:00")));
        _file = Path.Combine(_server.Directory, "ten.jsonl");
        var lines = new List<string> { """{"format":"ragfood-export","version":1,"source":"hand","space":null,"counts":{"":10},"createdAt":"2026-12-01T00:00:00Z"}""" };
        lines.AddRange(Enumerable.Range(0, Records).Select(i => string.Create(CultureInfo.InvariantCulture, $$"""{"ns":"","id":"dish-{{i}}","text":"Dish number {{i}} is a stew of lentils and rice."}""")));
        lines.Add("""{"end":true,"counts":{"":10}}""");
        await File.WriteAllLinesAsync(_file, lines);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task A_dry_run_that_needs_more_writes_than_are_left_today_says_so_and_writes_nothing()
    {
        var events = await MigrationServiceTests.MigrateAsync(_server, Request(batchSize: 2));
        var summary = events[^1].Summary;

        Assert.True(summary.DryRun);
        var upstash = Assert.Single(summary.Quota);
        Assert.Equal("upstash", upstash.Store);
        Assert.Equal(Records / 2, upstash.Writes);
        Assert.True(upstash.HasWritesLeft);
        Assert.Equal(4, upstash.WritesLeft);
        Assert.Equal(4, upstash.DailyWriteLimit);
        Assert.True(upstash.Exceeds);
        Assert.Contains("would exceed today's remaining write quota: needs 5, 4 left (plan limit 4 a day", upstash.Warning, StringComparison.Ordinal);
        Assert.Contains("Usage:Plans:upstash:DailyWriteLimit", upstash.Warning, StringComparison.Ordinal);
        Assert.Equal(0, _emulator.Admin.Stats.For("upsert") + _emulator.Admin.Stats.For("upsert-data"));
    }

    [Fact]
    public async Task A_dry_run_that_fits_has_no_warning_and_the_next_one_counts_what_the_real_run_spent()
    {
        var fits = (await MigrationServiceTests.MigrateAsync(_server, Request(batchSize: 5)))[^1].Summary.Quota.Single();
        var real = (await MigrationServiceTests.MigrateAsync(_server, new MigrateRequest
        {
            Source = new TransferEndpoint { ExportFile = _file },
            Target = new TransferEndpoint { Store = "primary" },
            BatchSize = 5,
            SkipVerify = true,
        }))[^1].Summary;
        var after = (await MigrationServiceTests.MigrateAsync(_server, Request(batchSize: 5, rewrite: true)))[^1].Summary.Quota.Single();

        Assert.Equal(2, fits.Writes);
        Assert.False(fits.Exceeds, fits.Warning);
        Assert.Equal("", fits.Warning);
        Assert.Equal(Records, real.Written);
        Assert.Empty(real.Quota);
        Assert.Equal(_emulator.Admin.Stats.For("upsert-data"), 4 - after.WritesLeft);
        Assert.Equal(2, after.WritesLeft);
        Assert.False(after.Exceeds, after.Warning);
    }

    [Fact]
    public async Task A_repair_dry_run_counts_the_deletes_it_would_make_in_upstash_against_what_is_left_today()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(ServerHost.OnUpstash(emulator,
            ("VectorStore:Fallback", "Sqlite"),
            ("Usage:Plans:upstash:DailyWriteLimit", "3"),
            ("Health:ProbeInterval", "01:00:00")));
        // One upsert call (one write) that only the primary receives (write mode Primary): four ids the fallback lacks.
        await server.Vector.UpsertAsync(new UpsertRequest { Records = { Enumerable.Range(0, 4).Select(i => new VectorRecord { Id = $"only-{i}", Text = $"Dish {i} with rice." }) } });
        var stores = new StoresService.StoresServiceClient(server.Channel);

        var intoUpstash = await stores.RepairStoresAsync(new RepairStoresRequest { Direction = RepairDirection.FallbackToPrimary, DryRun = true, BatchSize = 1 });
        var intoSqlite = await stores.RepairStoresAsync(new RepairStoresRequest { Direction = RepairDirection.PrimaryToFallback, DryRun = true, BatchSize = 1 });

        var deletes = Assert.Single(intoUpstash.Quota, q => q.Store == "upstash");
        Assert.Equal(4, deletes.Writes);
        Assert.Equal(2, deletes.WritesLeft);
        Assert.True(deletes.Exceeds);
        Assert.Contains("needs 4, 2 left (plan limit 3 a day", deletes.Warning, StringComparison.Ordinal);
        var copies = Assert.Single(intoSqlite.Quota, q => q.Store == "upstash");
        Assert.Equal(0, copies.Writes);
        Assert.True(copies.Reads >= 4, copies.ToString());
        Assert.False(copies.Exceeds);
        Assert.Equal(4, Assert.Single(intoSqlite.Quota, q => q.Store == "sqlite").Writes);
        Assert.Equal(1, emulator.Admin.Stats.For("upsert-data"));
        Assert.Equal(0, emulator.Admin.Stats.For("delete"));
    }

    private MigrateRequest Request(int batchSize, bool rewrite = false) => new()
    {
        Source = new TransferEndpoint { ExportFile = _file },
        Target = new TransferEndpoint { Store = "primary" },
        BatchSize = batchSize,
        DryRun = true,
        RewriteUnchanged = rewrite,
    };
}
