using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace RagFood.UpstashEmulator;

/// <summary>Reading request fields leniently (null = absent) and writing records with Upstash's field-presence rules.</summary>
internal static class Json
{
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }

    public static bool Flag(JsonElement obj, string name) => TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.True;

    public static string? String(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new EmulatorError(400, $"'{name}' must be a string.");
    }

    public static int? Int(JsonElement obj, string name)
    {
        if (!TryGet(obj, name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw new EmulatorError(400, $"'{name}' must be an integer.");
    }

    /// <summary>Ids are strings; numeric ids are kept as their JSON text (<c>33</c> → <c>"33"</c>).</summary>
    public static string Id(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { Length: > 0 } id => id,
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new EmulatorError(400, "Vector id must be a non-empty string or a number."),
    };

    public static List<string> Ids(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return [Id(value)];
        }

        var ids = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            ids.Add(Id(item));
        }

        return ids;
    }

    public static float[] Floats(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new EmulatorError(400, $"'{name}' must be an array of numbers.");
        }

        var result = new float[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            result[i++] = item.ValueKind == JsonValueKind.Number ? item.GetSingle() : throw new EmulatorError(400, $"'{name}' must be an array of numbers.");
        }

        return result;
    }

    public static SparseVector Sparse(JsonElement value)
    {
        if (!TryGet(value, "indices", out var indicesElement) || !TryGet(value, "values", out var valuesElement)
            || indicesElement.ValueKind != JsonValueKind.Array || valuesElement.ValueKind != JsonValueKind.Array)
        {
            throw new EmulatorError(400, "'sparseVector' must be an object with 'indices' and 'values' arrays.");
        }

        var indices = new int[indicesElement.GetArrayLength()];
        var i = 0;
        foreach (var item in indicesElement.EnumerateArray())
        {
            indices[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var index) && index >= 0
                ? index
                : throw new EmulatorError(400, "Sparse vector indices must be non-negative 32-bit integers.");
        }

        var values = Floats(valuesElement, "sparseVector.values");
        if (values.Length != indices.Length)
        {
            throw new EmulatorError(422, $"Sparse vector indices and values must have the same length: {indices.Length} != {values.Length}");
        }

        if (indices.Length > 1000)
        {
            throw new EmulatorError(422, $"Sparse vectors can have at most 1000 non-zero values, got {indices.Length}");
        }

        return SparseVector.Normalise(indices, values);
    }

    public static JsonElement? Metadata(JsonElement obj)
    {
        if (!TryGet(obj, "metadata", out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value.Clone() : throw new EmulatorError(400, "'metadata' must be a JSON object.");
    }

    public static string SimilarityName(EmulatedSimilarity similarity) => similarity switch
    {
        EmulatedSimilarity.Euclidean => "EUCLIDEAN",
        EmulatedSimilarity.DotProduct => "DOT_PRODUCT",
        _ => "COSINE",
    };

    /// <summary>Writes a record: <c>vector</c>/<c>sparseVector</c> only with includeVectors and only for the parts
    /// the index has; <c>metadata</c>/<c>data</c> only when asked for and present. Absent fields are omitted, never null.</summary>
    public static void WriteRecord(Utf8JsonWriter writer, StoredRecord record, IncludeFlags include, VectorIndex index, double? score = null)
    {
        writer.WriteStartObject();
        writer.WriteString("id", record.Id);
        if (score is { } s)
        {
            writer.WriteNumber("score", (float)s);
        }

        if (include.Vectors)
        {
            if (index.HasDense && record.Vector is { } vector)
            {
                writer.WriteStartArray("vector");
                foreach (var v in vector)
                {
                    writer.WriteNumberValue(v);
                }

                writer.WriteEndArray();
            }

            if (index.HasSparse && record.Sparse is { } sparse)
            {
                WriteSparse(writer, "sparseVector", sparse);
            }
        }

        if (include.Metadata && record.Metadata is { } metadata)
        {
            writer.WritePropertyName("metadata");
            metadata.WriteTo(writer);
        }

        if (include.Data && record.Data is { } data)
        {
            writer.WriteString("data", data);
        }

        writer.WriteEndObject();
    }

    public static void WriteSparse(Utf8JsonWriter writer, string name, SparseVector sparse)
    {
        writer.WriteStartObject(name);
        writer.WriteStartArray("indices");
        foreach (var i in sparse.Indices)
        {
            writer.WriteNumberValue(i);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("values");
        foreach (var v in sparse.Values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static byte[] Envelope(Action<Utf8JsonWriter> writeResult)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            writeResult(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteNumber("status", status);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static long ParseCursor(JsonElement obj)
    {
        if (!TryGet(obj, "cursor", out var value))
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0)
        {
            return n;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (text.Length == 0)
            {
                return 0;
            }

            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n))
            {
                return n;
            }
        }

        throw new EmulatorError(400, "Invalid cursor.");
    }
}
