using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>Dot products of one query against consecutive rows of a chunk.</summary>
/// <remarks>
/// A scan is bound by memory bandwidth, not arithmetic. Taking four rows per pass loads each slice of the
/// query once for four rows instead of once per row, which leaves the load ports to the stream of row data and
/// keeps four independent accumulator chains in flight. Without 256-bit SIMD it falls back to
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per row.
/// </remarks>
internal static class DotKernel
{
    /// <summary>Writes <c>dot(rows[r], query)</c> for the <c>results.Length</c> rows starting at <paramref name="rows"/>.</summary>
    public static void DotRows(ReadOnlySpan<float> rows, ReadOnlySpan<float> query, Span<float> results)
    {
        var dimension = query.Length;
        var count = results.Length;
        var row = 0;
        if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            for (; row + 4 <= count; row += 4)
            {
                Dot4(rows.Slice(row * dimension, 4 * dimension), query, results.Slice(row, 4));
            }
        }

        for (; row < count; row++)
        {
            results[row] = TensorPrimitives.Dot(rows.Slice(row * dimension, dimension), query);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4(ReadOnlySpan<float> block, ReadOnlySpan<float> query, Span<float> results)
    {
        var dimension = query.Length;
        ref var q = ref MemoryMarshal.GetReference(query);
        ref var r0 = ref MemoryMarshal.GetReference(block);
        ref var r1 = ref Unsafe.Add(ref r0, dimension);
        ref var r2 = ref Unsafe.Add(ref r1, dimension);
        ref var r3 = ref Unsafe.Add(ref r2, dimension);
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        var last = dimension - Vector256<float>.Count;
        nuint i = 0;
        for (; (int)i <= last; i += (nuint)Vector256<float>.Count)
        {
            var qv = Vector256.LoadUnsafe(ref q, i);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, i), qv, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, i), qv, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, i), qv, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, i), qv, a3);
        }

        var s0 = Vector256.Sum(a0);
        var s1 = Vector256.Sum(a1);
        var s2 = Vector256.Sum(a2);
        var s3 = Vector256.Sum(a3);
        for (var j = (int)i; j < dimension; j++)
        {
            var qj = Unsafe.Add(ref q, j);
            s0 += Unsafe.Add(ref r0, j) * qj;
            s1 += Unsafe.Add(ref r1, j) * qj;
            s2 += Unsafe.Add(ref r2, j) * qj;
            s3 += Unsafe.Add(ref r3, j) * qj;
        }

        results[0] = s0;
        results[1] = s1;
        results[2] = s2;
        results[3] = s3;
    }
}
