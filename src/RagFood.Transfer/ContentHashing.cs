using RagFood.Core.Corpus;
using RagFood.Core.VectorStores;

namespace RagFood.Transfer;

/// <summary>The one place Transfer computes a record's content hash.</summary>
/// <remarks>Every comparison (skip-unchanged, verify, repair) goes through <see cref="Of"/>, so the definition can be
/// switched to Core's canonical record hash in one line. A record without text hashes as the empty text.</remarks>
internal static class ContentHashing
{
    public static string Of(VectorRecord record) => FoodItem.ComputeContentHash(record.Text ?? "", record.Metadata);

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
