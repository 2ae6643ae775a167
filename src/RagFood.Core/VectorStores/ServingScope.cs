namespace RagFood.Core.VectorStores;

/// <summary>Records which store served the operations inside a scope, and whether fallback was used.</summary>
/// <remarks>
/// The gRPC layer opens a scope around each call; the failover and dual-write decorators record into it. The scope object
/// flows down through async calls (AsyncLocal) and is mutated in place, so the caller sees what the callee wrote.
/// Without a fallback decorator nothing records, and the caller reports the store it called.
/// </remarks>
public sealed class ServingScope : IDisposable
{
    private static readonly AsyncLocal<ServingScope?> CurrentScope = new();
    private readonly ServingScope? _parent;
    private readonly object _gate = new();

    private ServingScope(ServingScope? parent) => _parent = parent;

    /// <summary>The innermost open scope on this async flow, if any.</summary>
    public static ServingScope? Current => CurrentScope.Value;

    /// <summary>The store that served the last recorded operation.</summary>
    public string? StoreName { get; private set; }

    /// <summary>True when any operation in the scope was served by a fallback store.</summary>
    public bool FallbackUsed { get; private set; }

    /// <summary>Why the fallback was used (the primary's error, without secrets).</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Where the last recorded write is durable (a store name), or <c>null</c> for reads.</summary>
    public string? DurableIn { get; private set; }

    /// <summary>The stores the last recorded write is journaled for, not yet applied.</summary>
    public IReadOnlyList<string> QueuedFor { get; private set; } = [];

    public static ServingScope Begin()
    {
        var scope = new ServingScope(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Records into the current scope (no-op when none is open).</summary>
    public static void Record(string storeName, bool fallbackUsed, string? fallbackReason = null)
    {
        var scope = CurrentScope.Value;
        if (scope is null)
        {
            return;
        }

        lock (scope._gate)
        {
            scope.StoreName = storeName;
            if (fallbackUsed)
            {
                scope.FallbackUsed = true;
                scope.FallbackReason = fallbackReason;
            }
        }
    }

    /// <summary>Records where an acknowledged write is durable and for which store it is queued.</summary>
    public static void RecordWrite(string storeName, string durableIn, string queuedFor)
    {
        var scope = CurrentScope.Value;
        if (scope is null)
        {
            return;
        }

        lock (scope._gate)
        {
            scope.StoreName = storeName;
            scope.DurableIn = durableIn;
            scope.QueuedFor = [queuedFor];
        }
    }

    public void Dispose() => CurrentScope.Value = _parent;
}
