using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Transfer;

/// <summary>How Transfer compares two records' content.</summary>
/// <remarks>Every comparison (skip-unchanged, verify, repair) hashes through <see cref="Of"/>, the kernel's
/// <see cref="RecordContentHash"/> over text and metadata. Vectors are left out of the hash: a record read back from a
/// store cannot tell whether its vector was supplied or embedded, so vectors are compared by <see cref="VectorsEqual"/>
/// in vectors mode instead.</remarks>
internal static class ContentHashing
{
    public static string Of(VectorRecord record) => RecordContentHash.Compute(record.Text, record.Metadata);

    /// <summary>Vectors equal element by element within <paramref name="tolerance"/> (a JSON round trip may move the
    /// last digit of a float), both absent, or neither.</summary>
    public static bool VectorsEqual(float[]? a, float[]? b, float tolerance = 1e-6f)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (MathF.Abs(a[i] - b[i]) > tolerance * MathF.Max(1f, MathF.Abs(a[i])))
            {
                return false;
            }
        }

        return true;
    }
}
