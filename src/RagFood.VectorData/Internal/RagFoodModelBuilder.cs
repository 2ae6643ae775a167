using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace RagFood.VectorData.Internal;

/// <summary>Reads a record type or definition into MEVD's collection model, with the types a RagFood record can hold.</summary>
/// <remarks>
/// Keys are strings (a RagFood record id). Data properties become metadata JSON values, so only JSON scalars and
/// string lists are allowed. At most one vector property: <see cref="ReadOnlyMemory{T}"/>, <c>float[]</c> or
/// <see cref="Embedding{T}"/> of <see cref="float"/> for a vector the caller supplies, or <see cref="string"/> for
/// text the store embeds itself (MEVD's "embedding generation by the store").
/// </remarks>
internal sealed class RagFoodModelBuilder() : CollectionModelBuilder(BuildingOptions)
{
    public const string SupportedVectorTypes = "ReadOnlyMemory<float>, float[], Embedding<float>, string (text the store embeds)";

    public const string SupportedDataTypes = "string, bool, int, long, float, double, decimal (nullable too), string[], List<string>";

    private static readonly CollectionModelBuildingOptions BuildingOptions = new()
    {
        RequiresAtLeastOneVector = false,
        SupportsMultipleVectors = false,
        UsesExternalSerializer = false,
    };

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        if (keyProperty.Type != typeof(string))
        {
            throw new NotSupportedException(
                $"Key property '{keyProperty.ModelName}' is of type '{keyProperty.Type.Name}': RagFood record ids are strings, so the key property must be a string.");
        }
    }

    protected override bool SupportsKeyAutoGeneration(Type keyPropertyType) => false;

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedDataTypes;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
            || type == typeof(float) || type == typeof(double) || type == typeof(decimal)
            || type == typeof(string[]) || type == typeof(List<string>);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return VectorValues.IsFloatVectorType(type) || type == typeof(string);
    }
}
