using System.Buffers;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Server.Grpc;

/// <summary>Converts between protobuf <see cref="Struct"/> and <see cref="JsonElement"/> (the domain's metadata).</summary>
internal static class StructMapping
{
    /// <summary>A JSON object as a Struct; any other JSON value is wrapped as <c>{"value": ...}</c>.</summary>
    public static Struct? ToStruct(JsonElement? element)
    {
        if (element is not { } json || json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            var wrapped = new Struct();
            wrapped.Fields.Add("value", ToValue(json));
            return wrapped;
        }

        var result = new Struct();
        foreach (var property in json.EnumerateObject())
        {
            result.Fields[property.Name] = ToValue(property.Value);
        }

        return result;
    }

    /// <summary>A Struct as a JSON object; <c>null</c> for no Struct.</summary>
    /// <exception cref="ArgumentException">A number is NaN or infinite (not representable in JSON).</exception>
    public static JsonElement? ToJson(Struct? value)
    {
        if (value is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteStruct(writer, value, 1);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = VectorStoreLimits.MaxMetadataDepth + 1 });
        return document.RootElement.Clone();
    }

    private static Value ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => Value.ForStruct(ToStruct(element)!),
        JsonValueKind.Array => Value.ForList(element.EnumerateArray().Select(ToValue).ToArray()),
        JsonValueKind.String => Value.ForString(element.GetString()!),
        JsonValueKind.Number => Value.ForNumber(element.GetDouble()),
        JsonValueKind.True => Value.ForBool(true),
        JsonValueKind.False => Value.ForBool(false),
        _ => Value.ForNull(),
    };

    private static void WriteStruct(Utf8JsonWriter writer, Struct value, int depth)
    {
        CheckDepth(depth);
        writer.WriteStartObject();
        foreach (var (name, field) in value.Fields)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, field, depth);
        }

        writer.WriteEndObject();
    }

    /// <summary>Metadata deeper than the kernel allows is refused here, before JSON's own depth limit could fail it
    /// with a less helpful error.</summary>
    private static void CheckDepth(int depth)
    {
        if (depth > VectorStoreLimits.MaxMetadataDepth)
        {
            throw new ArgumentException($"metadata is nested more than {VectorStoreLimits.MaxMetadataDepth} levels deep.");
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, Value value, int depth)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StructValue:
                WriteStruct(writer, value.StructValue, depth + 1);
                break;
            case Value.KindOneofCase.ListValue:
                CheckDepth(depth + 1);
                writer.WriteStartArray();
                foreach (var item in value.ListValue.Values)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case Value.KindOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case Value.KindOneofCase.NumberValue:
                if (!double.IsFinite(value.NumberValue))
                {
                    throw new ArgumentException("metadata numbers must be finite (NaN and infinity have no JSON form).");
                }

                writer.WriteNumberValue(value.NumberValue);
                break;
            case Value.KindOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
