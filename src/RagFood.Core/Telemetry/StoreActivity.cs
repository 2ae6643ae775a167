namespace RagFood.Core.Telemetry;

/// <summary>When each store last answered a call of real traffic, and last failed one: the passive half of health, so
/// that the background probe need not call a store (and spend a billed request) that has just answered anyway.</summary>
/// <remarks>Fed by <see cref="OpenTelemetryVectorStore"/>, which wraps every registered store; calls made inside a
/// <see cref="HealthProbeScope"/> are not real traffic and are not recorded. Thread-safe.</remarks>
public sealed class StoreActivity(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<string, (DateTimeOffset? Answered, DateTimeOffset? Failed)> _stores = new(StringComparer.Ordinal);

    /// <summary>Records an answer from <paramref name="store"/>.</summary>
    public void Answered(string store) => Update(store, answered: true);

    /// <summary>Records a failure in <paramref name="store"/> (a <see cref="VectorStores.VectorStoreException"/>).</summary>
    public void Failed(string store) => Update(store, answered: false);

    /// <summary>True when <paramref name="store"/> answered real traffic after <paramref name="since"/> and has not failed
    /// since that answer.</summary>
    public bool AnsweredSince(string store, DateTimeOffset since, out DateTimeOffset answeredAt)
    {
        lock (_stores)
        {
            var (answered, failed) = _stores.GetValueOrDefault(store);
            answeredAt = answered ?? default;
            return answered is { } at && at > since && (failed is null || failed < at);
        }
    }

    private void Update(string store, bool answered)
    {
        var now = _time.GetUtcNow();
        lock (_stores)
        {
            var current = _stores.GetValueOrDefault(store);
            _stores[store] = answered ? current with { Answered = now } : current with { Failed = now };
        }
    }
}

/// <summary>Marks the calls of a health probe, so that they are counted under their own usage kind
/// (<see cref="ProbeOperation"/>) and not taken for real traffic.</summary>
public static class HealthProbeScope
{
    /// <summary>The usage operation a probe's call is counted under (a read: Upstash bills it like any request).</summary>
    public const string ProbeOperation = "health_probe";

    private static readonly AsyncLocal<bool> Active = new();

    /// <summary>True inside <see cref="Enter"/> on this async flow.</summary>
    public static bool IsActive => Active.Value;

    /// <summary>Marks the calls made until the returned scope is disposed.</summary>
    public static IDisposable Enter()
    {
        Active.Value = true;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Active.Value = false;
    }
}
