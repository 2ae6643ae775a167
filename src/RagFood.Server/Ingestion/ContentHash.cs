using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace RagFood.Server.Ingestion;

/// <summary>A hash of what a record says (text and metadata), independent of key order and number spelling.</summary>
/// <remarks>Computed from the record itself rather than stored beside it, so metadata stays the user's own and a record
/// written by any client compares equal when its content is.</remarks>
internal static class ContentHash
{
    public static string Of(string? text, JsonElement? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(text ?? "");
            if (metadata is { } element)
            {
                WriteCanonical(writer, element);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndArray();
        }

        return Convert.ToHexString(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                // 3, 3.0 and 3e0 are the same number (protobuf Struct turns every number into a double).
                writer.WriteNumberValue(element.GetDouble());
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                writer.WriteBooleanValue(element.GetBoolean());
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
