using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>Vector encoding in the file (float32 little-endian BLOB) and normalisation.</summary>
internal static class VectorCodec
{
    public static byte[] ToBlob(ReadOnlySpan<float> vector)
    {
        var bytes = MemoryMarshal.AsBytes(vector).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            var ints = MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
            BinaryPrimitives.ReverseEndianness(ints, ints);
        }

        return bytes;
    }

    public static void FromBlob(ReadOnlySpan<byte> blob, Span<float> destination)
    {
        MemoryMarshal.Cast<byte, float>(blob).CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            var ints = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(ints, ints);
        }
    }

    /// <summary>Writes the unit vector in the direction of <paramref name="vector"/> into <paramref name="destination"/>
    /// (same length); false when it has no direction.</summary>
    public static bool TryNormalise(ReadOnlySpan<float> vector, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (!(norm > 0) || float.IsInfinity(norm))
        {
            return false;
        }

        TensorPrimitives.Divide(vector, norm, destination);
        return true;
    }

    /// <summary>Returns the unit vector in the direction of <paramref name="vector"/>, or null when it has no direction.</summary>
    public static float[]? Normalise(ReadOnlySpan<float> vector)
    {
        var unit = new float[vector.Length];
        return TryNormalise(vector, unit) ? unit : null;
    }
}
