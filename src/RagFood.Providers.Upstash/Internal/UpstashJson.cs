using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Upstash.Internal;

/// <summary>Upstash's request and response JSON: records, vectors, ids, include flags.</summary>
internal static class UpstashJson
{
    public static void WriteRecords(Utf8JsonWriter w, IReadOnlyList<VectorRecord> records, bool includeVector)
    {
        w.WriteStartArray();
        foreach (var record in records)
        {
            w.WriteStartObject();
            w.WriteString("id", record.Id);
            if (includeVector)
            {
                WriteVector(w, record.Vector!);
            }

            if (record.Text is { } text)
            {
                w.WriteString("data", text);
            }

            if (record.Metadata is { ValueKind: JsonValueKind.Object } metadata)
            {
                w.WritePropertyName("metadata");
                metadata.WriteTo(w);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void WriteVector(Utf8JsonWriter w, float[] vector)
    {
        w.WriteStartArray("vector");
        foreach (var value in vector)
        {
            w.WriteNumberValue(value);
        }

        w.WriteEndArray();
    }

    public static void WriteIds(Utf8JsonWriter w, IReadOnlyList<string> ids)
    {
        w.WriteStartArray("ids");
        foreach (var id in ids)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
    }

    public static void WriteInclude(Utf8JsonWriter w, Include include)
    {
        w.WriteBoolean("includeVectors", include.Vectors);
        w.WriteBoolean("includeMetadata", include.Metadata);
        w.WriteBoolean("includeData", include.Text);
    }

    public static VectorRecord ParseRecord(JsonElement item) => new(item.GetProperty("id").GetString()!)
    {
        Text = Data(item),
        Vector = Vector(item),
        Metadata = Metadata(item),
    };

    public static string? Data(JsonElement item) =>
        item.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String ? data.GetString() : null;

    public static JsonElement? Metadata(JsonElement item) =>
        item.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? metadata.Clone() : null;

    public static float[]? Vector(JsonElement item)
    {
        if (!item.TryGetProperty("vector", out var vector) || vector.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = new float[vector.GetArrayLength()];
        var i = 0;
        foreach (var value in vector.EnumerateArray())
        {
            result[i++] = value.GetSingle();
        }

        return result;
    }
}
