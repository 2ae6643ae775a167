namespace RagFood.Core.VectorStores;

/// <summary>Lets one log line per key through per period and counts the ones it held back, so a failure repeated by
/// every request reads as one line with a count instead of thousands.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class LogThrottle(TimeSpan period, TimeProvider time)
{
    private readonly Dictionary<string, (DateTimeOffset Next, long Suppressed)> _keys = new(StringComparer.Ordinal);

    /// <summary>True when the line for <paramref name="key"/> should be written now; <paramref name="suppressed"/> is
    /// how many were held back since the last one written.</summary>
    public bool ShouldLog(string key, out long suppressed)
    {
        var now = time.GetUtcNow();
        lock (_keys)
        {
            if (_keys.TryGetValue(key, out var state) && now < state.Next)
            {
                _keys[key] = (state.Next, state.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = state.Suppressed;
            _keys[key] = (now + period, 0);
            return true;
        }
    }
}
