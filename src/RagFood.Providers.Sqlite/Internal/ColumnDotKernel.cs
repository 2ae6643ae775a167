using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The non-zero coordinates of a query vector, in ascending dimension order: what a column scan multiplies.</summary>
/// <remarks>A view over buffers the caller owns (a scan rents them once per query), so collecting terms allocates
/// nothing. <see cref="ColumnDotKernel"/> still checks every index against <see cref="Dimension"/> before it reads.</remarks>
internal readonly ref struct QueryTerms
{
    private QueryTerms(int dimension, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights)
    {
        Dimension = dimension;
        Indices = indices;
        Weights = weights;
    }

    /// <summary>The length of the query these terms came from.</summary>
    public int Dimension { get; }

    /// <summary>Dimensions whose query coordinate is not zero, ascending.</summary>
    public ReadOnlySpan<int> Indices { get; }

    /// <summary>The query coordinate of each of <see cref="Indices"/>.</summary>
    public ReadOnlySpan<float> Weights { get; }

    public int Count => Indices.Length;

    /// <summary>Collects the coordinates of <paramref name="query"/> that are not zero (a zero adds nothing to a dot
    /// product) into the starts of the two buffers, each at least <c>query.Length</c> long.</summary>
    public static QueryTerms Collect(ReadOnlySpan<float> query, Span<int> indexBuffer, Span<float> weightBuffer)
    {
        var indices = indexBuffer[..query.Length];
        var weights = weightBuffer[..query.Length];
        var count = 0;
        var d = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; d + Vector256<float>.Count <= query.Length; d += Vector256<float>.Count)
            {
                var values = Vector256.Create(query.Slice(d, Vector256<float>.Count));
                var nonZero = ~Vector256.Equals(values, Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
                if (nonZero == 0xFFu)
                {
                    // A dense run: eight terms at once.
                    (Vector256.Create(d) + Vector256<int>.Indices).CopyTo(indices[count..]);
                    values.CopyTo(weights[count..]);
                    count += Vector256<float>.Count;
                    continue;
                }

                for (; nonZero != 0; nonZero &= nonZero - 1)
                {
                    var lane = BitOperations.TrailingZeroCount(nonZero);
                    indices[count] = d + lane;
                    weights[count] = query[d + lane];
                    count++;
                }
            }
        }

        for (; d < query.Length; d++)
        {
            if (query[d] != 0f)
            {
                indices[count] = d;
                weights[count] = query[d];
                count++;
            }
        }

        return new QueryTerms(query.Length, indices[..count], weights[..count]);
    }
}

/// <summary>Dot products of one query against every row of a dimension-major (column-major) block of vectors.</summary>
/// <remarks>
/// <para>A block holds <c>stride</c> rows of <c>dimension</c> floats as <c>block[d * stride + row]</c>: each dimension
/// is a contiguous column. Scoring walks only the columns of the query's non-zero coordinates
/// (<see cref="QueryTerms"/>), so a sparse query — the hashing embedder's questions have a few dozen non-zeros in
/// 1024 — reads a few percent of the block, and a dense one reads every column exactly once.</para>
/// <para>Each pass adds <see cref="DimensionsPerPass"/> columns into the score buffer (one float per row; for a
/// 1024-row block it is 4 KB and stays in L1), so the buffer is loaded and stored once per eight columns while the
/// pass streams eight columns side by side: a dense scan stays bound by memory bandwidth. Every score is the chain
/// <c>s = fma(column_k[row], weight_k, s)</c> over the terms in order, starting from zero — the same operations in
/// the same order for every row, whichever pass, vector lane or scalar tail computes it — so identical vectors get
/// bit-identical scores wherever they sit, and equal scores keep breaking ties by slot. Without 256-bit SIMD,
/// <see cref="ScorePortable"/> adds one column per pass with the element-wise
/// <see cref="TensorPrimitives.MultiplyAdd(ReadOnlySpan{float}, float, ReadOnlySpan{float}, Span{float})"/>, which is
/// just as uniform across rows.</para>
/// </remarks>
internal static class ColumnDotKernel
{
    /// <summary>Columns added per pass over the score buffer on the 256-bit path.</summary>
    public const int DimensionsPerPass = 8;

    /// <summary>Writes <c>scores[row] = Σ weight * block[index * stride + row]</c> over the terms, for every
    /// <c>row &lt; scores.Length</c>.</summary>
    /// <param name="block">A dimension-major block of at least <c>terms.Dimension * stride</c> floats.</param>
    /// <param name="stride">Rows per column of <paramref name="block"/>; at least <c>scores.Length</c>.</param>
    /// <param name="terms">The query's non-zero coordinates.</param>
    /// <param name="scores">One score per row to compute, starting at row 0.</param>
    public static void Score(ReadOnlySpan<float> block, int stride, QueryTerms terms, Span<float> scores)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            CheckShape(block, stride, terms, scores);
            ScoreVector256(block, stride, terms, scores);
        }
        else
        {
            ScorePortable(block, stride, terms, scores);
        }
    }

    /// <summary>The path taken without 256-bit SIMD; internal rather than private so tests can check it on any machine.</summary>
    internal static void ScorePortable(ReadOnlySpan<float> block, int stride, QueryTerms terms, Span<float> scores)
    {
        CheckShape(block, stride, terms, scores);
        scores.Clear();
        var indices = terms.Indices;
        var weights = terms.Weights;
        for (var k = 0; k < indices.Length; k++)
        {
            TensorPrimitives.MultiplyAdd(block.Slice(indices[k] * stride, scores.Length), weights[k], scores, scores);
        }
    }

    private static void CheckShape(ReadOnlySpan<float> block, int stride, QueryTerms terms, Span<float> scores)
    {
        // Every term index in [0, Dimension), rows within the stride and Dimension whole columns in the block: then
        // each read of the unchecked passes is inside the block.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scores.Length, stride);
        if ((long)terms.Dimension * stride > block.Length)
        {
            throw new ArgumentException(
                $"A block of {terms.Dimension} columns of {stride} rows needs {(long)terms.Dimension * stride} floats; it has {block.Length}.",
                nameof(block));
        }

        if (terms.Count > 0 && (TensorPrimitives.Min(terms.Indices) < 0 || TensorPrimitives.Max(terms.Indices) >= terms.Dimension))
        {
            throw new ArgumentException($"A term's dimension is outside [0, {terms.Dimension}).", nameof(terms));
        }
    }

    private static void ScoreVector256(ReadOnlySpan<float> block, int stride, QueryTerms terms, Span<float> scores)
    {
        scores.Clear();
        if (scores.IsEmpty)
        {
            return;
        }

        ref var blockStart = ref MemoryMarshal.GetReference(block);
        ref var score = ref MemoryMarshal.GetReference(scores);
        var rows = scores.Length;
        var indices = terms.Indices;
        var weights = terms.Weights;
        var k = 0;
        for (; k + DimensionsPerPass <= indices.Length; k += DimensionsPerPass)
        {
            Pass8(ref blockStart, stride, indices.Slice(k, DimensionsPerPass), weights.Slice(k, DimensionsPerPass), ref score, rows);
        }

        if (k + 4 <= indices.Length)
        {
            Pass4(ref blockStart, stride, indices.Slice(k, 4), weights.Slice(k, 4), ref score, rows);
            k += 4;
        }

        for (; k < indices.Length; k++)
        {
            Pass1(ref Unsafe.Add(ref blockStart, (nint)indices[k] * stride), weights[k], ref score, rows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass8(ref float block, int stride, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights, ref float score, int rows)
    {
        ref var c0 = ref Unsafe.Add(ref block, (nint)indices[0] * stride);
        ref var c1 = ref Unsafe.Add(ref block, (nint)indices[1] * stride);
        ref var c2 = ref Unsafe.Add(ref block, (nint)indices[2] * stride);
        ref var c3 = ref Unsafe.Add(ref block, (nint)indices[3] * stride);
        ref var c4 = ref Unsafe.Add(ref block, (nint)indices[4] * stride);
        ref var c5 = ref Unsafe.Add(ref block, (nint)indices[5] * stride);
        ref var c6 = ref Unsafe.Add(ref block, (nint)indices[6] * stride);
        ref var c7 = ref Unsafe.Add(ref block, (nint)indices[7] * stride);
        var w0 = Vector256.Create(weights[0]);
        var w1 = Vector256.Create(weights[1]);
        var w2 = Vector256.Create(weights[2]);
        var w3 = Vector256.Create(weights[3]);
        var w4 = Vector256.Create(weights[4]);
        var w5 = Vector256.Create(weights[5]);
        var w6 = Vector256.Create(weights[6]);
        var w7 = Vector256.Create(weights[7]);
        const int Lanes = 8; // Vector256<float>.Count
        nuint i = 0;

        // Two vectors of rows per step: two independent chains of eight fused multiply-adds.
        for (; (int)i + (2 * Lanes) <= rows; i += 2 * Lanes)
        {
            var j = i + Lanes;
            var a = Vector256.LoadUnsafe(ref score, i);
            var b = Vector256.LoadUnsafe(ref score, j);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, i), w0, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, j), w0, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, i), w1, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, j), w1, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, i), w2, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, j), w2, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, i), w3, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, j), w3, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c4, i), w4, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c4, j), w4, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c5, i), w5, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c5, j), w5, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c6, i), w6, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c6, j), w6, b);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c7, i), w7, a);
            b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c7, j), w7, b);
            a.StoreUnsafe(ref score, i);
            b.StoreUnsafe(ref score, j);
        }

        for (; (int)i + Lanes <= rows; i += Lanes)
        {
            var a = Vector256.LoadUnsafe(ref score, i);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, i), w0, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, i), w1, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, i), w2, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, i), w3, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c4, i), w4, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c5, i), w5, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c6, i), w6, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c7, i), w7, a);
            a.StoreUnsafe(ref score, i);
        }

        for (; (int)i < rows; i++)
        {
            var a = Unsafe.Add(ref score, i);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c0, i), weights[0], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c1, i), weights[1], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c2, i), weights[2], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c3, i), weights[3], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c4, i), weights[4], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c5, i), weights[5], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c6, i), weights[6], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c7, i), weights[7], a);
            Unsafe.Add(ref score, i) = a;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass4(ref float block, int stride, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights, ref float score, int rows)
    {
        ref var c0 = ref Unsafe.Add(ref block, (nint)indices[0] * stride);
        ref var c1 = ref Unsafe.Add(ref block, (nint)indices[1] * stride);
        ref var c2 = ref Unsafe.Add(ref block, (nint)indices[2] * stride);
        ref var c3 = ref Unsafe.Add(ref block, (nint)indices[3] * stride);
        var w0 = Vector256.Create(weights[0]);
        var w1 = Vector256.Create(weights[1]);
        var w2 = Vector256.Create(weights[2]);
        var w3 = Vector256.Create(weights[3]);
        const int Lanes = 8; // Vector256<float>.Count
        nuint i = 0;
        for (; (int)i + Lanes <= rows; i += Lanes)
        {
            var a = Vector256.LoadUnsafe(ref score, i);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, i), w0, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, i), w1, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, i), w2, a);
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, i), w3, a);
            a.StoreUnsafe(ref score, i);
        }

        for (; (int)i < rows; i++)
        {
            var a = Unsafe.Add(ref score, i);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c0, i), weights[0], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c1, i), weights[1], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c2, i), weights[2], a);
            a = MathF.FusedMultiplyAdd(Unsafe.Add(ref c3, i), weights[3], a);
            Unsafe.Add(ref score, i) = a;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass1(ref float column, float weight, ref float score, int rows)
    {
        var w = Vector256.Create(weight);
        const int Lanes = 8; // Vector256<float>.Count
        nuint i = 0;
        for (; (int)i + Lanes <= rows; i += Lanes)
        {
            Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref column, i), w, Vector256.LoadUnsafe(ref score, i))
                .StoreUnsafe(ref score, i);
        }

        for (; (int)i < rows; i++)
        {
            Unsafe.Add(ref score, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref column, i), weight, Unsafe.Add(ref score, i));
        }
    }
}
