using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagFood.Core.VectorStores;

/// <summary>Whether a store is tried at all (its read breaker).</summary>
public enum BreakerState
{
    /// <summary>Calls go to the store.</summary>
    Closed,
    /// <summary>Calls skip the store until the break ends; then one call probes it.</summary>
    Open,
}

/// <summary>What health, Info and metrics read about one store, without calling it.</summary>
/// <param name="Store">The store's name.</param>
/// <param name="Breaker">Open after <see cref="FallbackVectorStoreOptions.BreakerFailureThreshold"/> failures in a row.</param>
/// <param name="ConsecutiveFailures">Failures (errors, or hedges it lost without answering) since its last answer.</param>
/// <param name="LastError">The last failure, or <c>null</c>.</param>
/// <param name="LastSuccessAt">When it last answered.</param>
/// <param name="LastFailureAt">When it last failed.</param>
/// <param name="FallbackSince">Since when another store serves its reads, or <c>null</c>.</param>
/// <param name="HedgeDelay">How long a read waits for it before asking the other store too.</param>
public sealed record StoreHealthSnapshot(
    string Store,
    BreakerState Breaker,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    DateTimeOffset? FallbackSince,
    TimeSpan HedgeDelay)
{
    /// <summary>Reads of this store served by another store since start (monotonic; for a metrics counter).</summary>
    public long FallbacksTotal { get; init; }

    /// <summary>Reads of this store for which the other store was asked too, because this one was slow (monotonic).</summary>
    public long HedgesTotal { get; init; }
}

/// <summary>Reads the state the failover and dual-write decorators keep per store (health checks, Info, metrics).</summary>
public interface IStoreHealthMonitor
{
    /// <summary>Every store seen so far, by name.</summary>
    IReadOnlyList<StoreHealthSnapshot> Snapshot();
}

/// <summary>Per-store breaker, latency window and fallback state, shared by the decorators of every composition (so a
/// composition rebuilt by a configuration reload keeps what was learnt), with one log line per state change.</summary>
/// <remarks>Thread-safe. Only outcomes are recorded here; the decorators decide what to call.</remarks>
public sealed partial class StoreHealthMonitor : IStoreHealthMonitor
{
    private readonly Dictionary<string, StoreHealth> _stores = new(StringComparer.Ordinal);
    private readonly FallbackVectorStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="options">Breaker and hedging settings; defaults when <c>null</c>.</param>
    /// <param name="logger">Receives one line per state change.</param>
    /// <param name="timeProvider">Clock.</param>
    public StoreHealthMonitor(FallbackVectorStoreOptions? options = null, ILogger<StoreHealthMonitor>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new FallbackVectorStoreOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The state of <paramref name="store"/>, created on first use.</summary>
    public StoreHealth For(string store)
    {
        lock (_stores)
        {
            if (!_stores.TryGetValue(store, out var health))
            {
                health = new StoreHealth(store, this);
                _stores.Add(store, health);
            }

            return health;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoreHealthSnapshot> Snapshot()
    {
        lock (_stores)
        {
            return [.. _stores.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Snapshot())];
        }
    }

    /// <summary>One store's breaker, latency window and fallback episode.</summary>
    public sealed class StoreHealth
    {
        private const int Window = 128;
        private readonly StoreHealthMonitor _owner;
        private readonly object _gate = new();
        private readonly double[] _latencyMs = new double[Window];
        private int _samples;
        private int _next;
        private TimeSpan? _hedgeDelay;
        private int _failures;
        private BreakerState _breaker;
        private DateTimeOffset _probeAt;
        private string? _lastError;
        private DateTimeOffset? _lastSuccess;
        private DateTimeOffset? _lastFailure;
        private DateTimeOffset? _fallbackSince;
        private string? _fallbackTo;
        private long _fallbackReads;
        private long _fallbacksTotal;
        private long _hedgesTotal;

        internal StoreHealth(string name, StoreHealthMonitor owner)
        {
            Name = name;
            _owner = owner;
        }

        /// <summary>The store's name.</summary>
        public string Name { get; }

        /// <summary>True while the breaker is closed, or when an open breaker's break has ended (then this call is the
        /// one probe of the next break, which starts now).</summary>
        public bool TryEnter()
        {
            lock (_gate)
            {
                if (_breaker == BreakerState.Closed)
                {
                    return true;
                }

                var now = _owner._time.GetUtcNow();
                if (now < _probeAt)
                {
                    return false;
                }

                _probeAt = now + _owner._options.BreakDuration;
                return true;
            }
        }

        /// <summary>True while the breaker is open (no call is let through except the periodic probe).</summary>
        public bool IsOpen
        {
            get
            {
                lock (_gate)
                {
                    return _breaker == BreakerState.Open;
                }
            }
        }

        /// <summary>The primary's observed p99 over its last answers, clamped to the configured floor and ceiling.</summary>
        public TimeSpan HedgeDelay
        {
            get
            {
                lock (_gate)
                {
                    return _hedgeDelay ??= ComputeHedgeDelay();
                }
            }
        }

        /// <summary>The store answered after <paramref name="latency"/>.</summary>
        public void RecordSuccess(TimeSpan latency)
        {
            bool closed;
            lock (_gate)
            {
                _latencyMs[_next] = latency.TotalMilliseconds;
                _next = (_next + 1) % Window;
                _samples = Math.Min(_samples + 1, Window);
                _hedgeDelay = null;
                _failures = 0;
                _lastSuccess = _owner._time.GetUtcNow();
                closed = _breaker == BreakerState.Open;
                _breaker = BreakerState.Closed;
            }

            if (closed)
            {
                LogBreakerClosed(_owner._logger, Name);
            }
        }

        /// <summary>The store failed (an error, or a hedge it lost without answering).</summary>
        public void RecordFailure(string reason)
        {
            bool opened;
            int failures;
            lock (_gate)
            {
                _failures++;
                failures = _failures;
                _lastError = reason;
                _lastFailure = _owner._time.GetUtcNow();
                opened = _breaker == BreakerState.Closed && _failures >= _owner._options.BreakerFailureThreshold;
                if (opened)
                {
                    _breaker = BreakerState.Open;
                    _probeAt = _lastFailure.Value + _owner._options.BreakDuration;
                }
            }

            if (opened)
            {
                LogBreakerOpened(_owner._logger, Name, failures, _owner._options.BreakDuration.TotalSeconds, reason);
            }
        }

        /// <summary>A read of this store was served by <paramref name="by"/>; the first one starts a fallback episode.</summary>
        public void RecordFallback(string by, string reason)
        {
            bool started;
            lock (_gate)
            {
                started = _fallbackSince is null;
                _fallbackSince ??= _owner._time.GetUtcNow();
                _fallbackTo = by;
                _fallbackReads++;
                _fallbacksTotal++;
            }

            if (started)
            {
                LogFallbackStarted(_owner._logger, Name, by, reason);
            }
        }

        /// <summary>A read of this store was hedged: it had not answered within its hedge delay, so the other store was asked too.</summary>
        public void RecordHedge()
        {
            lock (_gate)
            {
                _hedgesTotal++;
            }
        }

        /// <summary>This store served a read itself; ends a fallback episode if one was running.</summary>
        public void RecordServed()
        {
            DateTimeOffset? since;
            long reads;
            string? to;
            lock (_gate)
            {
                since = _fallbackSince;
                reads = _fallbackReads;
                to = _fallbackTo;
                _fallbackSince = null;
                _fallbackReads = 0;
            }

            if (since is { } start)
            {
                var seconds = (_owner._time.GetUtcNow() - start).TotalSeconds;
                LogFallbackEnded(_owner._logger, Name, to ?? "", reads, seconds);
            }
        }

        internal StoreHealthSnapshot Snapshot()
        {
            lock (_gate)
            {
                return new StoreHealthSnapshot(Name, _breaker, _failures, _lastError, _lastSuccess, _lastFailure, _fallbackSince, _hedgeDelay ??= ComputeHedgeDelay())
                {
                    FallbacksTotal = _fallbacksTotal,
                    HedgesTotal = _hedgesTotal,
                };
            }
        }

        private TimeSpan ComputeHedgeDelay()
        {
            var options = _owner._options;
            if (_samples == 0)
            {
                return options.HedgeCeiling;
            }

            var sorted = _latencyMs[.._samples];
            Array.Sort(sorted);
            var p99 = TimeSpan.FromMilliseconds(sorted[Math.Min(_samples - 1, (int)Math.Ceiling(_samples * 0.99) - 1)]);
            return p99 < options.HedgeFloor ? options.HedgeFloor : p99 > options.HedgeCeiling ? options.HedgeCeiling : p99;
        }
    }

    [LoggerMessage(EventId = 2140, Level = LogLevel.Warning, Message = "Breaker for {Store} opened after {Failures} failures in a row; reads skip it for {BreakSeconds} s between probes: {Reason}")]
    private static partial void LogBreakerOpened(ILogger logger, string store, int failures, double breakSeconds, string reason);

    [LoggerMessage(EventId = 2141, Level = LogLevel.Information, Message = "Breaker for {Store} closed: it answered again")]
    private static partial void LogBreakerClosed(ILogger logger, string store);

    [LoggerMessage(EventId = 2142, Level = LogLevel.Warning, Message = "Fallback started: reads of {Store} are served by {Fallback}: {Reason}")]
    private static partial void LogFallbackStarted(ILogger logger, string store, string fallback, string reason);

    [LoggerMessage(EventId = 2143, Level = LogLevel.Information, Message = "Fallback ended: {Store} serves its reads again ({Reads} reads were served by {Fallback} over {Seconds:0.0} s)")]
    private static partial void LogFallbackEnded(ILogger logger, string store, string fallback, long reads, double seconds);
}
