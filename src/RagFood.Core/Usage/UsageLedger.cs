using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFood.Core.Durable;
using RagFood.Core.Telemetry;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Usage;

/// <summary>The in-memory counters behind <see cref="IUsageLedger"/>, loaded from and flushed to <see cref="SqliteUsageCounters"/>.</summary>
/// <remarks>
/// <para><see cref="Record"/> only touches interlocked counters; <see cref="FlushAsync"/> (a hosted worker calls it every
/// <see cref="UsageOptions.FlushInterval"/> and on shutdown) writes what was counted since the last flush. A failed
/// flush keeps the deltas for the next one. A crash loses at most one interval of counts.</para>
/// <para>Crossing 80 % or 100 % of a daily quota logs one warning per store, quota, threshold and day, and counts a
/// <c>ragfood.usage.quota.crossings</c>.</para>
/// </remarks>
public sealed partial class UsageLedger : IUsageLedger, IDisposable
{
    private readonly ConcurrentDictionary<(DateOnly Day, string Store, string Operation), Cell> _cells = new();
    private readonly ConcurrentDictionary<(DateOnly Day, string Store, bool Write), Cell> _classTotals = new();
    private readonly UsageOptions _options;
    private readonly SqliteUsageCounters? _counters;
    private readonly RagFoodMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _flushGate = new(1, 1);

    /// <param name="options">Plans and flush settings.</param>
    /// <param name="counters">The side file; <c>null</c> keeps counts in memory only.</param>
    /// <param name="metrics">Where quota crossings and counted calls are measured; optional.</param>
    /// <param name="logger">Receives the quota warnings.</param>
    /// <param name="timeProvider">The clock; days are UTC days.</param>
    public UsageLedger(UsageOptions options, SqliteUsageCounters? counters = null, RagFoodMetrics? metrics = null, ILogger<UsageLedger>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _counters = counters;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    private DateOnly Today => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    /// <summary>Creates the side file if needed and adds this month's persisted counts to the in-memory totals.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        if (_counters is null)
        {
            return;
        }

        await _counters.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var today = Today;
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        foreach (var row in await _counters.ReadAsync(monthStart, today, cancellationToken).ConfigureAwait(false))
        {
            var cell = _cells.GetOrAdd((row.Day, row.Store, row.Operation), _ => new Cell());
            Interlocked.Add(ref cell.Calls, row.Calls);
            Interlocked.Add(ref cell.Units, row.Units);
            var total = _classTotals.GetOrAdd((row.Day, row.Store, IsWrite(row.Store, row.Operation)), _ => new Cell());
            Interlocked.Add(ref total.Calls, row.Calls);
        }
    }

    /// <inheritdoc />
    public void Record(string store, string operation, long units = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        var day = Today;
        var cell = _cells.GetOrAdd((day, store, operation), _ => new Cell());
        Interlocked.Increment(ref cell.Calls);
        Interlocked.Increment(ref cell.PendingCalls);
        if (units != 0)
        {
            Interlocked.Add(ref cell.Units, units);
            Interlocked.Add(ref cell.PendingUnits, units);
        }

        var write = IsWrite(store, operation);
        var total = Interlocked.Increment(ref _classTotals.GetOrAdd((day, store, write), _ => new Cell()).Calls);
        _metrics?.UsageCalls.Add(1, new("ragfood.store", store), new("ragfood.operation", operation));
        var plan = PlanFor(store);
        var limit = plan is null ? 0 : write ? plan.DailyWriteLimit : plan.DailyReadLimit;
        if (limit > 0)
        {
            CheckThresholds(store, write ? "writes" : "reads", total, limit);
        }
    }

    /// <inheritdoc />
    public QuotaRemaining RemainingToday(string store)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(store);
        var plan = PlanFor(store);
        var day = Today;
        long? Left(long limit, bool write) => limit > 0 ? Math.Max(0, limit - ClassTotal(day, store, write)) : null;
        return plan is null
            ? new QuotaRemaining(null, null)
            : new QuotaRemaining(Left(plan.DailyReadLimit, false), Left(plan.DailyWriteLimit, true)) { DailyReadLimit = plan.DailyReadLimit, DailyWriteLimit = plan.DailyWriteLimit };
    }

    /// <inheritdoc />
    public UsageReport GetReport()
    {
        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var stores = _cells.Keys.Select(k => k.Store)
            .Concat(_options.Plans.Keys)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();

        // The month so far in days, today included in part; the projection assumes the rest of the month goes the same way.
        var elapsedDays = Math.Max((now - new DateTimeOffset(monthStart.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).TotalDays, 1.0 / 24);
        var daysInMonth = DateTime.DaysInMonth(today.Year, today.Month);
        var result = new List<StoreUsage>(stores.Count);
        foreach (var store in stores)
        {
            var plan = PlanFor(store) ?? new UsagePlan();
            var todayUsage = Period(store, plan, d => d == today);
            var month = Period(store, plan, d => d >= monthStart && d <= today);
            var projected = decimal.Round(month.Cost / (decimal)elapsedDays * daysInMonth, 6);
            var state = QuotaState.Ok;
            foreach (var (used, limit) in new[] { (todayUsage.Reads, plan.DailyReadLimit), (todayUsage.Writes, plan.DailyWriteLimit) })
            {
                if (limit <= 0)
                {
                    continue;
                }

                var next = used >= limit ? QuotaState.Exceeded : used >= limit * UsageOptions.WarningRatio ? QuotaState.Warning : QuotaState.Ok;
                state = next > state ? next : state;
            }

            result.Add(new StoreUsage(store, todayUsage, month, projected, plan.DailyReadLimit, plan.DailyWriteLimit, state));
        }

        return new UsageReport(now, today, result);
    }

    /// <summary>Writes the calls counted since the last flush to the side file.</summary>
    /// <remarks>On failure the deltas are put back and the exception propagates; the next flush retries them.</remarks>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_counters is null)
        {
            return;
        }

        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var taken = new List<(Cell Cell, UsageCount Delta)>();
            foreach (var ((day, store, operation), cell) in _cells)
            {
                var calls = Interlocked.Exchange(ref cell.PendingCalls, 0);
                var units = Interlocked.Exchange(ref cell.PendingUnits, 0);
                if (calls != 0 || units != 0)
                {
                    taken.Add((cell, new UsageCount(day, store, operation, calls, units)));
                }
            }

            try
            {
                await _counters.AddAsync(taken.Select(t => t.Delta).ToList(), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                foreach (var (cell, delta) in taken)
                {
                    Interlocked.Add(ref cell.PendingCalls, delta.Calls);
                    Interlocked.Add(ref cell.PendingUnits, delta.Units);
                }

                throw;
            }

            PruneBefore(new DateOnly(Today.Year, Today.Month, 1));
        }
        finally
        {
            _flushGate.Release();
        }
    }

    private UsagePeriod Period(string store, UsagePlan plan, Func<DateOnly, bool> inPeriod)
    {
        var calls = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var units = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long reads = 0, writes = 0;
        foreach (var ((day, cellStore, operation), cell) in _cells)
        {
            if (!string.Equals(cellStore, store, StringComparison.OrdinalIgnoreCase) || !inPeriod(day))
            {
                continue;
            }

            var n = Interlocked.Read(ref cell.Calls);
            calls[operation] = calls.GetValueOrDefault(operation) + n;
            units[operation] = units.GetValueOrDefault(operation) + Interlocked.Read(ref cell.Units);
            if (IsWrite(store, operation))
            {
                writes += n;
            }
            else
            {
                reads += n;
            }
        }

        var cost = (reads * plan.ReadPricePerMillion + writes * plan.WritePricePerMillion) / 1_000_000m;
        return new UsagePeriod(reads, writes, cost, calls, units);
    }

    private void CheckThresholds(string store, string quota, long total, long limit)
    {
        var previous = total - 1;
        var warning = (long)Math.Ceiling(limit * UsageOptions.WarningRatio);
        if (previous < warning && total >= warning)
        {
            LogQuotaWarning(_logger, store, quota, total, limit, 80);
            _metrics?.QuotaThresholdsCrossed.Add(1, new("ragfood.store", store), new("ragfood.quota", quota), new("ragfood.threshold", 80));
        }

        if (previous < limit && total >= limit)
        {
            LogQuotaExceeded(_logger, store, quota, total, limit);
            _metrics?.QuotaThresholdsCrossed.Add(1, new("ragfood.store", store), new("ragfood.quota", quota), new("ragfood.threshold", 100));
        }
    }

    private long ClassTotal(DateOnly day, string store, bool write) =>
        _classTotals.TryGetValue((day, store, write), out var cell) ? Interlocked.Read(ref cell.Calls) : 0;

    private UsagePlan? PlanFor(string store) => _options.Plans.TryGetValue(store, out var plan) ? plan : null;

    private static bool IsWrite(string store, string operation) =>
        !string.Equals(store, OllamaOperations.Store, StringComparison.OrdinalIgnoreCase) && StoreOperation.IsWrite(operation);

    /// <summary>Drops flushed cells of earlier months, so a long-running server does not grow without bound.</summary>
    private void PruneBefore(DateOnly monthStart)
    {
        foreach (var key in _cells.Keys.Where(k => k.Day < monthStart))
        {
            if (_cells.TryGetValue(key, out var cell) && Interlocked.Read(ref cell.PendingCalls) == 0 && Interlocked.Read(ref cell.PendingUnits) == 0)
            {
                _cells.TryRemove(key, out _);
            }
        }

        foreach (var key in _classTotals.Keys.Where(k => k.Day < monthStart))
        {
            _classTotals.TryRemove(key, out _);
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Usage: {Store} has used {Used} of its {Limit} daily {Quota} ({Percent} %); at 100 % it may refuse calls until midnight UTC")]
    private static partial void LogQuotaWarning(ILogger logger, string store, string quota, long used, long limit, int percent);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Usage: {Store} has reached its daily {Quota} quota ({Used} of {Limit}); raise Usage:Plans:{Store} limits if your plan allows more, or expect refusals until midnight UTC")]
    private static partial void LogQuotaExceeded(ILogger logger, string store, string quota, long used, long limit);

    /// <inheritdoc />
    public void Dispose() => _flushGate.Dispose();

    private sealed class Cell
    {
        public long Calls;
        public long Units;
        public long PendingCalls;
        public long PendingUnits;
    }
}
