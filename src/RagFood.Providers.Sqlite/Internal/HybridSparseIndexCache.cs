using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The sparse indexes of one store's namespaces: one per snapshot that a hybrid query has seen, each derived
/// from the namespace's previous one, so steady writes cost each query only what they changed.</summary>
internal sealed class HybridSparseIndexCache
{
    private readonly ConditionalWeakTable<NamespaceIndex, HybridSparseIndex> _bySnapshot = new();
    private readonly ConcurrentDictionary<string, HybridSparseIndex> _latest = new(StringComparer.Ordinal);

    /// <summary>The sparse index of <paramref name="index"/>.</summary>
    /// <remarks>Thread-safe. Concurrent queries may derive one twice; the first stored wins, and the namespace's
    /// latest index may then be an older snapshot's, which only makes the next derivation diff more slots.</remarks>
    public HybridSparseIndex For(NamespaceIndex index)
    {
        if (_bySnapshot.TryGetValue(index, out var known))
        {
            return known;
        }

        var derived = _latest.TryGetValue(index.Name, out var previous) ? previous.Update(index) : HybridSparseIndex.Build(index);
        var stored = _bySnapshot.GetValue(index, _ => derived);
        _latest[index.Name] = stored;
        return stored;
    }
}
