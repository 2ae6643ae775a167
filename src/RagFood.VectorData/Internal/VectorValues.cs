using Microsoft.Extensions.AI;

namespace RagFood.VectorData.Internal;

/// <summary>The vector representations an MEVD record may use, converted to and from RagFood's <c>float[]</c>.</summary>
internal static class VectorValues
{
    public static bool IsFloatVectorType(Type type) =>
        type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) || type == typeof(float[]) || type == typeof(Embedding<float>);

    /// <summary>The vector held by <paramref name="value"/>, or <c>null</c> for none (null or empty).</summary>
    public static float[]? ToArray(object? value)
    {
        var vector = value switch
        {
            null => null,
            float[] array => array,
            ReadOnlyMemory<float> memory => memory.ToArray(),
            Embedding<float> embedding => embedding.Vector.ToArray(),
            _ => throw new NotSupportedException(
                $"A vector of type '{value.GetType().Name}' is not supported; use {RagFoodModelBuilder.SupportedVectorTypes}."),
        };
        return vector is { Length: > 0 } ? vector : null;
    }

    /// <summary>Wraps <paramref name="vector"/> in the representation <paramref name="type"/> asks for.</summary>
    public static object FromArray(float[] vector, Type type) =>
        type == typeof(float[]) ? vector
        : type == typeof(Embedding<float>) ? new Embedding<float>(vector)
        : new ReadOnlyMemory<float>(vector);
}
