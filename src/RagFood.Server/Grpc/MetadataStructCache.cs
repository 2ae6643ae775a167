using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace RagFood.Server.Grpc;

/// <summary>Remembers the protobuf <see cref="Struct"/> of metadata the read RPCs return again and again.</summary>
/// <remarks>
/// <para>Query returns the same few hundred records' metadata over and over, and building a Struct from JSON was about a
/// fifth of the server's own work per Query (measured: ~10 µs of ~50 µs outside the vector scan for a top-10 answer).
/// Entries are keyed by the metadata's raw UTF-8 JSON, so equal text always gives an equal Struct and a changed record
/// (new text) simply misses. A lookup reads the element's bytes in place (no string is made per record and call).</para>
/// <para>A cached Struct is shared by every response that carries it: responses are only serialised, never modified,
/// after the service returns them. The cache is bounded (<see cref="MaxEntries"/> entries of at most
/// <see cref="MaxJsonLength"/> bytes; larger metadata is converted every time) and is emptied when full rather
/// than tracking recency, which keeps lookups lock-free.</para>
/// </remarks>
internal sealed class MetadataStructCache
{
    internal const int MaxEntries = 1024;
    internal const int MaxJsonLength = 2048;

    private readonly ConcurrentDictionary<byte[], Struct> _entries;
    private readonly ConcurrentDictionary<byte[], Struct>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public MetadataStructCache()
    {
        _entries = new ConcurrentDictionary<byte[], Struct>(Utf8KeyComparer.Instance);
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The Struct for <paramref name="metadata"/> (see <see cref="StructMapping.ToStruct"/>), shared when cached.</summary>
    public Struct? Get(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } json)
        {
            return StructMapping.ToStruct(metadata);
        }

        var raw = JsonMarshal.GetRawUtf8Value(json);
        if (raw.Length > MaxJsonLength)
        {
            return StructMapping.ToStruct(json);
        }

        if (_bySpan.TryGetValue(raw, out var cached))
        {
            return cached;
        }

        var created = StructMapping.ToStruct(json)!;
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        return _entries.GetOrAdd(raw.ToArray(), created);
    }

    /// <summary>Byte-wise equality of UTF-8 keys, with lookups by span.</summary>
    private sealed class Utf8KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
