using System.Buffers;
using System.Text.Json;
using RagFood.Providers.Chroma;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Maps RagFood's JSON metadata to Chroma's flat scalar metadata and back.</summary>
/// <remarks>
/// <para>Chroma metadata values are flat scalars (string, integer, float, boolean). Scalars are stored as they are;
/// any other value (object, array, null) is stored as its JSON text in a string, and the names of such keys are
/// listed (as a JSON array) under the reserved key <c>ragfood:json</c>, so reading restores the original JSON.
/// Filters on an encoded key compare against the JSON text, so only top-level scalar fields are meaningful in
/// filters (which is all Chroma's <c>where</c> can express anyway).</para>
/// <para>Keys starting with <c>ragfood:</c> or <c>chroma:</c> are reserved (Chroma keeps the document under
/// <c>chroma:document</c>) and are refused on write.</para>
/// </remarks>
internal static class ChromaMetadataCodec
{
    /// <summary>Reserved record-metadata key listing the keys whose values are JSON-encoded.</summary>
    public const string JsonKeysKey = "ragfood:json";

    /// <summary>Throws <see cref="ArgumentException"/> when metadata is not an object or uses a reserved key.</summary>
    public static void Validate(string id, JsonElement? metadata)
    {
        if (metadata is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Metadata of record '{id}' must be a JSON object, not {element.ValueKind}.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (IsReservedKey(property.Name))
            {
                throw new ArgumentException($"Metadata key '{property.Name}' of record '{id}' is reserved by the chroma store (keys starting with 'ragfood:' or 'chroma:').");
            }

            if (property.Name.Length == 0)
            {
                throw new ArgumentException($"Metadata of record '{id}' has an empty key, which Chroma refuses.");
            }
        }
    }

    public static bool IsReservedKey(string key) =>
        key.StartsWith("ragfood:", StringComparison.Ordinal) || key.StartsWith("chroma:", StringComparison.Ordinal);

    /// <summary>Writes the Chroma metadata object for a record (or <c>null</c> when there is nothing to write).</summary>
    /// <param name="writer">Target writer, positioned where a value is expected.</param>
    /// <param name="metadata">RagFood metadata (object or null).</param>
    /// <param name="keysToRemove">Keys the stored record has and the new one lacks; written as <c>null</c>, which
    /// Chroma's upsert treats as "remove this key" (upsert otherwise merges metadata).</param>
    public static void Write(Utf8JsonWriter writer, JsonElement? metadata, IEnumerable<string>? keysToRemove)
    {
        var hasObject = metadata is { ValueKind: JsonValueKind.Object } obj && obj.EnumerateObject().Any();
        var removals = keysToRemove?.ToList() ?? [];
        if (!hasObject && removals.Count == 0)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        List<string>? jsonKeys = null;
        var written = new HashSet<string>(StringComparer.Ordinal);
        if (hasObject)
        {
            foreach (var property in metadata!.Value.EnumerateObject())
            {
                if (!written.Add(property.Name))
                {
                    continue;
                }

                var value = property.Value;
                switch (value.ValueKind)
                {
                    case JsonValueKind.String:
                        writer.WriteString(property.Name, value.GetString());
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                        writer.WriteBoolean(property.Name, value.GetBoolean());
                        break;
                    case JsonValueKind.Number:
                        WriteNumber(writer, property.Name, value);
                        break;
                    default:
                        // Objects, arrays and null are not Chroma scalars: keep their JSON text and remember the key.
                        writer.WriteString(property.Name, value.GetRawText());
                        (jsonKeys ??= []).Add(property.Name);
                        break;
                }
            }
        }

        if (jsonKeys is not null)
        {
            writer.WriteString(JsonKeysKey, JsonSerializer.Serialize(jsonKeys, ChromaJsonContext.Default.ListString));
            written.Add(JsonKeysKey);
        }

        foreach (var key in removals)
        {
            if (written.Add(key))
            {
                writer.WriteNull(key);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The keys of a stored Chroma metadata object.</summary>
    public static IEnumerable<string> Keys(JsonElement chromaMetadata) =>
        chromaMetadata.ValueKind == JsonValueKind.Object ? chromaMetadata.EnumerateObject().Select(p => p.Name) : [];

    /// <summary>Restores RagFood metadata from a Chroma metadata object; <c>null</c> when there is none.</summary>
    public static JsonElement? Read(JsonElement chromaMetadata)
    {
        if (chromaMetadata.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        HashSet<string>? jsonKeys = null;
        if (chromaMetadata.TryGetProperty(JsonKeysKey, out var keysElement) && keysElement.ValueKind == JsonValueKind.String)
        {
            jsonKeys = TryParseKeys(keysElement.GetString());
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var any = false;
            foreach (var property in chromaMetadata.EnumerateObject())
            {
                if (IsReservedKey(property.Name))
                {
                    continue;
                }

                any = true;
                writer.WritePropertyName(property.Name);
                if (jsonKeys is not null && jsonKeys.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.String
                    && TryWriteRawJson(writer, property.Value.GetString()!))
                {
                    continue;
                }

                property.Value.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.Flush();
            if (!any)
            {
                return null;
            }
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Restores RagFood metadata from key/value pairs read out of a chroma.sqlite3 file.</summary>
    public static JsonElement? Read(IReadOnlyList<KeyValuePair<string, object>> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                writer.WritePropertyName(key);
                switch (value)
                {
                    case string s:
                        writer.WriteStringValue(s);
                        break;
                    case bool b:
                        writer.WriteBooleanValue(b);
                        break;
                    case long l:
                        writer.WriteNumberValue(l);
                        break;
                    case double d:
                        writer.WriteNumberValue(d);
                        break;
                    default:
                        writer.WriteNullValue();
                        break;
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return Read(document.RootElement);
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, JsonElement value)
    {
        var raw = value.GetRawText();
        var looksIntegral = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
        if (looksIntegral && value.TryGetInt64(out var integer))
        {
            writer.WriteNumber(name, integer);
        }
        else
        {
            writer.WriteNumber(name, value.GetDouble());
        }
    }

    private static HashSet<string>? TryParseKeys(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            var keys = JsonSerializer.Deserialize(text, ChromaJsonContext.Default.ListString);
            return keys is null ? null : new HashSet<string>(keys, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // Someone else wrote the key; treat every value as the scalar it is.
            return null;
        }
    }

    private static bool TryWriteRawJson(Utf8JsonWriter writer, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            document.RootElement.WriteTo(writer);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
