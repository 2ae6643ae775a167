using System.Collections.Concurrent;

namespace RagFood.UpstashEmulator;

/// <summary>Decides which requests get an injected fault, and counts against the daily quota.</summary>
internal sealed class FaultInjector(FaultSettings initial, TimeProvider time)
{
    private readonly object _gate = new();
    private FaultSettings _settings = initial;
    private long _seen;
    private long _quotaUsage;
    private DateOnly _quotaDay = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public FaultSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                // New rates start a new spread, so the first request after a change is the first to fail.
                _settings = value;
                _seen = 0;
            }
        }
    }

    public void ResetQuota()
    {
        lock (_gate)
        {
            _quotaUsage = 0;
        }
    }

    /// <summary>Counts one request against the quota; returns the error message when it is exceeded.</summary>
    public string? ChargeQuota()
    {
        var limit = Settings.DailyQuota;
        lock (_gate)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            if (today != _quotaDay)
            {
                _quotaDay = today;
                _quotaUsage = 0;
            }

            _quotaUsage++;
            return limit is { } max && _quotaUsage > max
                ? $"ERR max daily request limit exceeded. Limit: {max}, Usage: {_quotaUsage}"
                : null;
        }
    }

    /// <summary>The status to inject for this request (503, 429) or 0; rates are spread evenly, not drawn, starting
    /// with a failure: rate 0.5 fails requests 1, 3, 5, …; rate 0.25 fails requests 1, 5, 9, ….</summary>
    public int NextInjectedStatus()
    {
        var settings = Settings;
        lock (_gate)
        {
            var n = _seen++;
            if (Crosses(n, settings.Rate503))
            {
                return 503;
            }

            return Crosses(n, settings.Rate429) ? 429 : 0;
        }

        static bool Crosses(long n, double rate) =>
            rate > 0 && Math.Ceiling((n + 1) * Math.Min(rate, 1.0)) > Math.Ceiling(n * Math.Min(rate, 1.0));
    }
}

/// <summary>Request counters, readable through <c>/__admin/stats</c> and <see cref="EmulatorAdmin"/>.</summary>
public sealed class EmulatorStats
{
    private readonly ConcurrentDictionary<string, long> _byEndpoint = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _byStatus = new();
    private long _requests;
    private long _injected429;
    private long _injected503;
    private long _quotaRejected;
    private long _blackHoled;

    /// <summary>Data requests received (admin requests are not counted).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public long Injected429 => Interlocked.Read(ref _injected429);

    public long Injected503 => Interlocked.Read(ref _injected503);

    public long QuotaRejected => Interlocked.Read(ref _quotaRejected);

    public long BlackHoled => Interlocked.Read(ref _blackHoled);

    /// <summary>Requests per endpoint name (<c>upsert</c>, <c>query</c>, …).</summary>
    public IReadOnlyDictionary<string, long> ByEndpoint => new Dictionary<string, long>(_byEndpoint, StringComparer.Ordinal);

    /// <summary>Answers per HTTP status code.</summary>
    public IReadOnlyDictionary<int, long> ByStatus => new Dictionary<int, long>(_byStatus);

    public long For(string endpoint) => _byEndpoint.GetValueOrDefault(endpoint);

    public void Reset()
    {
        _byEndpoint.Clear();
        _byStatus.Clear();
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _injected429, 0);
        Interlocked.Exchange(ref _injected503, 0);
        Interlocked.Exchange(ref _quotaRejected, 0);
        Interlocked.Exchange(ref _blackHoled, 0);
    }

    internal void Received(string endpoint)
    {
        Interlocked.Increment(ref _requests);
        _byEndpoint.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
    }

    internal void Answered(int status) => _byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);

    internal void Injected(int status)
    {
        if (status == 429)
        {
            Interlocked.Increment(ref _injected429);
        }
        else
        {
            Interlocked.Increment(ref _injected503);
        }
    }

    internal void RejectedByQuota() => Interlocked.Increment(ref _quotaRejected);

    internal void BlackHole() => Interlocked.Increment(ref _blackHoled);
}

/// <summary>Test-side control of a running emulator: faults, quota and counters (what <c>/__admin/*</c> exposes).</summary>
public sealed class EmulatorAdmin
{
    private readonly FaultInjector _faults;

    internal EmulatorAdmin(FaultInjector faults, EmulatorStats stats)
    {
        _faults = faults;
        Stats = stats;
    }

    /// <summary>Current fault settings; assign to change them for subsequent requests.</summary>
    public FaultSettings Faults
    {
        get => _faults.Settings;
        set => _faults.Settings = value;
    }

    public EmulatorStats Stats { get; }

    public void ResetQuota() => _faults.ResetQuota();
}
