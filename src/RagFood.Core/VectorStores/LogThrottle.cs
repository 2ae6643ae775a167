using System.Collections.Concurrent;

namespace RagFood.Core.VectorStores;

/// <summary>Lets one log line per key through per period and counts the ones it held back, so a failure repeated by
/// every request reads as one line with a count instead of thousands.</summary>
/// <remarks>
/// <para>Thread-safe. Keys are whatever repeats: a failing operation, a stalled replay target, a peer address sending
/// hostile input (the server's refusal logs use it per peer).</para>
/// <para>Bounded: past <see cref="MaxKeys"/> keys the table is cleared, so a flood from many peers costs at most one
/// line per key and period, never unbounded memory.</para>
/// </remarks>
public sealed class LogThrottle
{
    /// <summary>Most keys remembered before the table is cleared.</summary>
    public const int MaxKeys = 4096;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;

    /// <param name="period">At most one line per key in this time.</param>
    /// <param name="time">The clock.</param>
    public LogThrottle(TimeSpan period, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _period = period;
        _time = time;
    }

    /// <summary>True when the line for <paramref name="key"/> should be written now; <paramref name="suppressed"/> is
    /// how many were held back since the last one written.</summary>
    public bool ShouldLog(string key, out long suppressed)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.Count >= MaxKeys)
        {
            _entries.Clear();
        }

        var now = _time.GetTimestamp();
        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            if (entry.HasLogged && _time.GetElapsedTime(entry.LastLogged, now) < _period)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastLogged = now;
            entry.HasLogged = true;
            return true;
        }
    }

    private sealed class Entry
    {
        public long LastLogged;
        public bool HasLogged;
        public long Suppressed;
    }
}
