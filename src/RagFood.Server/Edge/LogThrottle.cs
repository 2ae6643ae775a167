using System.Collections.Concurrent;

namespace RagFood.Server.Edge;

/// <summary>Lets one log line through per key (a peer address) and interval, and counts the ones it held back.</summary>
/// <remarks>Bounded: past <see cref="MaxKeys"/> keys the table is cleared, so a flood from many addresses costs at most
/// one line per address and interval, never unbounded memory.</remarks>
internal sealed class LogThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    internal const int MaxKeys = 4096;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>True when a line for <paramref name="key"/> may be written now; <paramref name="suppressed"/> is how many
    /// were held back since the last one.</summary>
    public bool TryEnter(string key, out int suppressed)
    {
        if (_entries.Count >= MaxKeys)
        {
            _entries.Clear();
        }

        var now = timeProvider.GetTimestamp();
        var entry = _entries.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            if (entry.HasLogged && timeProvider.GetElapsedTime(entry.LastLogged, now) < interval)
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
        public int Suppressed;
    }
}
