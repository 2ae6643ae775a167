using System.Collections.Immutable;
using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>A validated record on its way in; <see cref="UnitVector"/> is set before the write.</summary>
internal sealed record PreparedRecord(string Id, string? Text, string? MetadataJson, JsonElement? Metadata)
{
    public float[] UnitVector { get; init; } = [];

    /// <summary>True when the caller gave the vector (it is part of the content hash).</summary>
    public bool HasOwnVector { get; init; }
}

/// <summary>One namespace: its record count, next sequence, and its index once loaded.</summary>
internal sealed record NamespaceState(long Count, long NextSequence, NamespaceIndex? Index)
{
    public static NamespaceState Loaded(NamespaceIndex index) => new(index.LiveCount, index.NextSequence, index);
}

/// <summary>Everything readers see, swapped atomically by writers.</summary>
internal sealed record StoreState(EmbeddingSpace Space, ImmutableSortedDictionary<string, NamespaceState> Namespaces)
{
    public StoreState WithIndex(NamespaceIndex index) =>
        this with { Namespaces = Namespaces.SetItem(index.Name, NamespaceState.Loaded(index)) };
}
