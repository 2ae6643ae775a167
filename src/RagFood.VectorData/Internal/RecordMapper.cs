using System.Text.Json;
using Microsoft.Extensions.VectorData.ProviderServices;
using RagFood.Core.VectorStores;

namespace RagFood.VectorData.Internal;

/// <summary>Maps MEVD records (POCOs or dictionaries, through the collection model) to RagFood records and back.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>The key property is the record id.</item>
/// <item>The text property (a <see cref="string"/> vector property, or the data property chosen by
/// <see cref="RagFoodCollectionOptions.TextProperty"/> or stored as <c>text</c>) is the record's text.</item>
/// <item>A float vector property is the record's vector; an empty or null vector is left out, so the store embeds the text.</item>
/// <item>Every other data property is a metadata field named by its storage name; a null value is left out, so
/// "is null" and "field is absent" are the same thing.</item>
/// </list>
/// </remarks>
internal sealed class RecordMapper
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly CollectionModel _model;

    public RecordMapper(CollectionModel model, string? textPropertyName)
    {
        _model = model;
        Key = model.KeyProperty;
        var vector = model.VectorProperties.Count == 1 ? model.VectorProperties[0] : null;
        if (vector?.EmbeddingGenerator is not null)
        {
            throw new NotSupportedException(
                $"Vector property '{vector.ModelName}' has an embedding generator: RagFood stores embed text themselves. "
                + "Declare the property as a string (the store embeds it) or supply vectors, and configure no generator.");
        }

        if (vector is not null && vector.Type == typeof(string))
        {
            EmbeddedText = vector;
        }
        else
        {
            Vector = vector;
        }

        Text = FindTextProperty(model, textPropertyName);
        if (Text is not null && EmbeddedText is not null)
        {
            throw new NotSupportedException(
                $"Both '{EmbeddedText.ModelName}' (a string vector property) and '{Text.ModelName}' would be the record's text; keep one.");
        }

        Metadata = [.. model.DataProperties.Where(p => !ReferenceEquals(p, Text))];
    }

    public KeyPropertyModel Key { get; }

    /// <summary>The float vector property, when the record has one.</summary>
    public VectorPropertyModel? Vector { get; }

    /// <summary>The string vector property (text the store embeds), when the record has one.</summary>
    public VectorPropertyModel? EmbeddedText { get; }

    /// <summary>The data property holding the record's text, when the record has one.</summary>
    public DataPropertyModel? Text { get; }

    /// <summary>The data properties stored as metadata fields.</summary>
    public IReadOnlyList<DataPropertyModel> Metadata { get; }

    /// <summary>The property that holds the record's text, whichever kind it is.</summary>
    public PropertyModel? TextHolder => (PropertyModel?)EmbeddedText ?? Text;

    public VectorRecord ToStore(object record, string id)
    {
        var text = TextHolder?.GetValueAsObject(record) as string;
        var vector = Vector is null ? null : VectorValues.ToArray(Vector.GetValueAsObject(record));
        return new VectorRecord(id) { Text = text, Vector = vector, Metadata = MetadataOf(record) };
    }

    public TRecord FromStore<TRecord>(string id, string? text, float[]? vector, JsonElement? metadata, bool includeVectors)
    {
        var record = _model.CreateRecord<TRecord>()!;
        Key.SetValueAsObject(record, id);
        TextHolder?.SetValueAsObject(record, text);
        if (Vector is not null && includeVectors && vector is not null)
        {
            Vector.SetValueAsObject(record, VectorValues.FromArray(vector, Vector.Type));
        }

        foreach (var property in Metadata)
        {
            object? value = null;
            if (metadata is { ValueKind: JsonValueKind.Object } fields && fields.TryGetProperty(property.StorageName, out var field)
                && field.ValueKind != JsonValueKind.Null)
            {
                try
                {
                    value = field.Deserialize(property.Type, Json);
                }
                catch (JsonException e)
                {
                    throw new InvalidOperationException(
                        $"Record '{id}': metadata field '{property.StorageName}' holds {field.ValueKind} {field.GetRawText()}, which property '{property.ModelName}' ({property.Type.Name}) cannot hold.", e);
                }
            }

            if (value is not null || property.IsNullable)
            {
                property.SetValueAsObject(record, value);
            }
        }

        return record;
    }

    private JsonElement? MetadataOf(object record)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in Metadata)
        {
            if (property.GetValueAsObject(record) is { } value)
            {
                fields[property.StorageName] = JsonSerializer.SerializeToElement(value, value.GetType(), Json);
            }
        }

        return fields.Count == 0 ? null : JsonSerializer.SerializeToElement(fields, Json);
    }

    private static DataPropertyModel? FindTextProperty(CollectionModel model, string? name)
    {
        if (name is not null)
        {
            var named = model.DataProperties.FirstOrDefault(p => p.ModelName == name)
                ?? throw new ArgumentException($"TextProperty '{name}' is not a data property of the record.", nameof(name));
            return named.Type == typeof(string)
                ? named
                : throw new ArgumentException($"TextProperty '{name}' is of type '{named.Type.Name}'; the record's text is a string.", nameof(name));
        }

        return model.DataProperties.FirstOrDefault(p => p.Type == typeof(string) && string.Equals(p.StorageName, "text", StringComparison.OrdinalIgnoreCase));
    }
}
