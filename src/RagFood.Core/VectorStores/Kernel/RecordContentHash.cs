using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The one content hash of a record: its text, its canonical metadata and whether it carries a vector.</summary>
/// <remarks>
/// <para>SHA-256, lower-case hex, over: the text's UTF-8 bytes, a 0 byte, the metadata in canonical JSON (object
/// keys sorted ordinally at every depth, no whitespace, numbers as written, strings with fixed escaping; no metadata
/// and an empty object hash alike), and — only when the record carries a vector — a 0 byte and the marker
/// <c>+vector</c>. A record without a vector therefore hashes exactly as its text and metadata alone, so a record
/// read back without its vector compares equal to the one that was ingested from text.</para>
/// <para>Used by the SQLite store's <c>content_hash</c> column, the corpus ingestor's "unchanged" check and the
/// dual-write and migration verifiers: two records with the same hash hold the same content in any store.</para>
/// </remarks>
public static class RecordContentHash
{
    private static readonly JsonWriterOptions CanonicalWriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    private static readonly byte[] VectorMarker = [0, .. "+vector"u8];

    /// <summary>The hash of a record's content.</summary>
    /// <param name="text">The record's text; <c>null</c> hashes as <c>""</c>.</param>
    /// <param name="metadata">The record's metadata, or <c>null</c>.</param>
    /// <param name="hasVector">True when the record was written with a vector its caller supplied, false when the store
    /// embedded it from the text. Stores that embed keep this apart, because the same text with a caller's vector is
    /// different content; a record read back cannot tell, so a verifier passes what the writer knew.</param>
    public static string Compute(string? text, JsonElement? metadata, bool hasVector = false)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Encoding.UTF8.GetBytes(text ?? ""));
        buffer.Write<byte>([0]); // separator: no text/metadata split can be mistaken for another
        using (var writer = new Utf8JsonWriter(buffer, CanonicalWriterOptions))
        {
            WriteCanonicalMetadata(writer, metadata);
        }

        if (hasVector)
        {
            buffer.Write(VectorMarker);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Writes metadata in the canonical form the hash uses (an empty object for none).</summary>
    public static void WriteCanonicalMetadata(Utf8JsonWriter writer, JsonElement? metadata)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (metadata is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } value)
        {
            WriteCanonical(writer, value);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var element in value.EnumerateArray())
                {
                    WriteCanonical(writer, element);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            default:
                // Numbers, booleans and null as written in the source.
                value.WriteTo(writer);
                break;
        }
    }
}
