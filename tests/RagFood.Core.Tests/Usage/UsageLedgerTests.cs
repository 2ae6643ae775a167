using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RagFood.Core.Durable;
using RagFood.Core.Telemetry;
using RagFood.Core.Tests.VectorStores;
using RagFood.Core.Usage;
using RagFood.Core.VectorStores;
using RagFood.Tests.Shared;

namespace RagFood.Core.Tests.Usage;

public sealed class UsageLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("ragfood-usage-tests-").FullName;
    private readonly FakeTimeProvider _time = new(Noon);

    private static UsageOptions Plan(long reads, long writes) => new()
    {
        Plans = new(StringComparer.OrdinalIgnoreCase)
        {
            ["upstash"] = new UsagePlan { DailyReadLimit = reads, DailyWriteLimit = writes, ReadPricePerMillion = 0.20m, WritePricePerMillion = 2.00m },
        },
    };

    [Fact]
    public async Task Store_calls_are_counted_by_operation_with_reads_and_writes_apart()
    {
        using var ledger = new UsageLedger(Plan(0, 0), timeProvider: _time);
        var store = new UsageCountingVectorStore(new FaultInjectingVectorStore("upstash"), ledger);

        await store.UpsertAsync(new UpsertRequest([new VectorRecord("a") { Vector = [1, 0, 0] }, new VectorRecord("b") { Vector = [0, 1, 0] }]));
        await store.QueryAsync(VectorQuery.ForVector([1, 0, 0], 5));
        await store.QueryAsync(VectorQuery.ForVector([1, 0, 0], 5));
        await store.GetInfoAsync();

        var today = ledger.GetReport().Stores.Single(s => s.Store == "upstash").Today;
        Assert.Equal(3, today.Reads);
        Assert.Equal(1, today.Writes);
        Assert.Equal(2, today.Calls[StoreOperation.Query]);
        Assert.Equal(1, today.Calls[StoreOperation.Upsert]);
        Assert.Equal(2, today.Units[StoreOperation.Upsert]);
    }

    [Fact]
    public async Task Argument_errors_are_not_counted_but_store_failures_are()
    {
        using var ledger = new UsageLedger(Plan(0, 0), timeProvider: _time);
        var fake = new FaultInjectingVectorStore("upstash");
        var store = new UsageCountingVectorStore(fake, ledger);
        fake.Fail(() => new ArgumentException("bad"), operations: "Query");
        await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(VectorQuery.ForText("x")));
        fake.FailTransiently(operations: "Query");
        await Assert.ThrowsAsync<VectorStoreException>(() => store.QueryAsync(VectorQuery.ForText("x")));

        Assert.Equal(1, ledger.GetReport().Stores.Single(s => s.Store == "upstash").Today.Reads);
    }

    [Fact]
    public void Crossing_80_and_100_percent_of_a_daily_quota_warns_once_each_and_is_measured()
    {
        var logger = new ListLogger<UsageLedger>(LogLevel.Warning);
        using var metrics = new RagFoodMetrics();
        var crossings = new List<(long Value, object? Threshold)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, metrics.QuotaThresholdsCrossed))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (crossings)
            {
                crossings.Add((value, tags.ToArray().Single(t => t.Key == "ragfood.threshold").Value));
            }
        });
        listener.Start();
        using var ledger = new UsageLedger(Plan(10, 0), metrics: metrics, logger: logger, timeProvider: _time);

        for (var i = 0; i < 7; i++)
        {
            ledger.Record("upstash", StoreOperation.Query);
        }

        Assert.Empty(logger.Entries);
        Assert.Equal(QuotaState.Ok, ledger.GetReport().Stores.Single(s => s.Store == "upstash").State);
        ledger.Record("upstash", StoreOperation.Query);
        Assert.Equal(QuotaState.Warning, ledger.GetReport().Stores.Single(s => s.Store == "upstash").State);
        ledger.Record("upstash", StoreOperation.Fetch);
        ledger.Record("upstash", StoreOperation.Range);
        ledger.Record("upstash", StoreOperation.Query);

        Assert.Equal([7100, 7101], logger.Entries.Select(e => e.Event.Id));
        Assert.Equal([(1L, (object?)80), (1L, 100)], crossings);
        Assert.Equal(QuotaState.Exceeded, ledger.GetReport().Stores.Single(s => s.Store == "upstash").State);
        Assert.Equal(new QuotaRemaining(0, null) { DailyReadLimit = 10 }, ledger.RemainingToday("upstash"));
    }

    [Fact]
    public void Remaining_today_counts_down_and_starts_again_on_the_next_utc_day()
    {
        using var ledger = new UsageLedger(Plan(100, 50), timeProvider: _time);
        for (var i = 0; i < 30; i++)
        {
            ledger.Record("upstash", StoreOperation.Upsert);
        }

        ledger.Record("upstash", StoreOperation.Query);

        Assert.Equal(new QuotaRemaining(99, 20) { DailyReadLimit = 100, DailyWriteLimit = 50 }, ledger.RemainingToday("upstash"));
        Assert.Equal(new QuotaRemaining(null, null), ledger.RemainingToday("chroma"));
        _time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(new QuotaRemaining(100, 50) { DailyReadLimit = 100, DailyWriteLimit = 50 }, ledger.RemainingToday("upstash"));
    }

    [Fact]
    public void Cost_is_priced_per_million_and_projected_over_the_month()
    {
        using var ledger = new UsageLedger(Plan(0, 0), timeProvider: _time);
        for (var i = 0; i < 1000; i++)
        {
            ledger.Record("upstash", StoreOperation.Query);
            ledger.Record("upstash", StoreOperation.Upsert);
        }

        var upstash = ledger.GetReport().Stores.Single(s => s.Store == "upstash");

        // 1000 reads at $0.20/M plus 1000 writes at $2.00/M.
        Assert.Equal(0.0022m, upstash.Today.Cost);
        Assert.Equal(0.0022m, upstash.Month.Cost);
        // 9.5 days of December gone (noon on the 10th): the month is projected at 31 / 9.5 times what it cost so far.
        Assert.Equal(decimal.Round(0.0022m / 9.5m * 31, 6), upstash.ProjectedMonthCost);
    }

    [Fact]
    public async Task Counts_survive_a_restart_through_the_side_file()
    {
        var path = Path.Combine(_directory, "usage.db");
        using (var first = new UsageLedger(Plan(100, 100), new SqliteUsageCounters(path), timeProvider: _time))
        {
            await first.LoadAsync();
            first.Record("upstash", StoreOperation.Query, 3);
            first.Record("upstash", StoreOperation.Query, 3);
            await first.FlushAsync();
            first.Record("upstash", StoreOperation.Upsert, 10);
            await first.FlushAsync();
            await first.FlushAsync();
        }

        using var second = new UsageLedger(Plan(100, 100), new SqliteUsageCounters(path), timeProvider: _time);
        await second.LoadAsync();
        second.Record("upstash", StoreOperation.Query);

        var today = second.GetReport().Stores.Single(s => s.Store == "upstash").Today;
        Assert.Equal(3, today.Calls[StoreOperation.Query]);
        Assert.Equal(6, today.Units[StoreOperation.Query]);
        Assert.Equal(1, today.Writes);
        Assert.Equal(new QuotaRemaining(97, 99) { DailyReadLimit = 100, DailyWriteLimit = 100 }, second.RemainingToday("upstash"));
    }

    [Fact]
    public async Task Earlier_months_do_not_count_towards_this_month()
    {
        var path = Path.Combine(_directory, "usage.db");
        var counters = new SqliteUsageCounters(path);
        await counters.InitializeAsync();
        await counters.AddAsync([new UsageCount(new DateOnly(2026, 11, 30), "upstash", StoreOperation.Query, 500, 0), new UsageCount(new DateOnly(2026, 12, 1), "upstash", StoreOperation.Query, 5, 0)]);

        using var ledger = new UsageLedger(Plan(0, 0), counters, timeProvider: _time);
        await ledger.LoadAsync();

        var upstash = ledger.GetReport().Stores.Single(s => s.Store == "upstash");
        Assert.Equal(5, upstash.Month.Reads);
        Assert.Equal(0, upstash.Today.Reads);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Temp directories are cleaned by the OS.
        }
    }
}
