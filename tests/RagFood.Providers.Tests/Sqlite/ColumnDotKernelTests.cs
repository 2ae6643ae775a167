using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Tests.Sqlite;

/// <summary>The column-major scan kernel against a double-precision reference, on both of its paths.</summary>
public sealed class ColumnDotKernelTests
{
    private delegate void Scorer(ReadOnlySpan<float> block, int stride, QueryTerms terms, Span<float> scores);

    public static TheoryData<string> Paths => ["vector256-or-portable", "portable"];

    private static QueryTerms Terms(float[] query) => QueryTerms.Collect(query, new int[query.Length], new float[query.Length]);

    private static Scorer PathNamed(string path) =>
        path == "portable" ? ColumnDotKernel.ScorePortable : ColumnDotKernel.Score;

    private static float[] RandomUnit(Random random, int dimension)
    {
        var vector = new float[dimension];
        var norm = 0.0;
        for (var d = 0; d < dimension; d++)
        {
            vector[d] = (float)((random.NextDouble() * 2) - 1);
            norm += (double)vector[d] * vector[d];
        }

        for (var d = 0; d < dimension; d++)
        {
            vector[d] = (float)(vector[d] / Math.Sqrt(norm));
        }

        return vector;
    }

    /// <summary>A dimension-major block of <paramref name="stride"/> rows; rows past <paramref name="rows"/> hold junk
    /// that must not leak into any score.</summary>
    private static (float[] Block, float[][] Rows) RandomBlock(Random random, int dimension, int rows, int stride)
    {
        var block = new float[dimension * stride];
        Array.Fill(block, float.NaN);
        var vectors = new float[rows][];
        for (var row = 0; row < rows; row++)
        {
            vectors[row] = RandomUnit(random, dimension);
            for (var d = 0; d < dimension; d++)
            {
                block[(d * stride) + row] = vectors[row][d];
            }
        }

        return (block, vectors);
    }

    private static double ReferenceDot(float[] a, float[] b)
    {
        var sum = 0.0;
        for (var d = 0; d < a.Length; d++)
        {
            sum += (double)a[d] * b[d];
        }

        return sum;
    }

    [Theory]
    [InlineData(1, 1, 16)]
    [InlineData(3, 5, 16)]
    [InlineData(8, 8, 8)]
    [InlineData(13, 9, 1024)]
    [InlineData(24, 17, 32)]
    [InlineData(64, 31, 32)]
    [InlineData(100, 100, 112)]
    [InlineData(1024, 7, 16)]
    [InlineData(1024, 1024, 1024)]
    public void Dense_queries_score_every_row_like_the_double_reference(int dimension, int rows, int stride)
    {
        foreach (var path in new[] { "vector256-or-portable", "portable" })
        {
            var random = new Random((dimension * 31) + rows);
            var (block, vectors) = RandomBlock(random, dimension, rows, stride);
            var query = RandomUnit(random, dimension);
            var scores = new float[rows];

            PathNamed(path)(block, stride, Terms(query), scores);

            for (var row = 0; row < rows; row++)
            {
                Assert.Equal(ReferenceDot(vectors[row], query), scores[row], 1e-5);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sparse_queries_read_only_their_columns_and_match_the_reference(string path)
    {
        const int Dimension = 1024;
        const int Rows = 300;
        var random = new Random(7);
        var (block, vectors) = RandomBlock(random, Dimension, Rows, 304);
        // One-hot queries on the first, a middle and the last dimension, then a mix of a few dozen non-zeros.
        var queries = new List<float[]>();
        foreach (var hot in new[] { 0, 517, Dimension - 1 })
        {
            var oneHot = new float[Dimension];
            oneHot[hot] = hot == 517 ? -1f : 1f;
            queries.Add(oneHot);
        }

        foreach (var nonZeros in new[] { 2, 7, 12, 48, 200 })
        {
            var mixed = new float[Dimension];
            for (var k = 0; k < nonZeros; k++)
            {
                mixed[random.Next(Dimension)] = (float)((random.NextDouble() * 2) - 1);
            }

            mixed[3] = -0f; // a negative zero is a zero too
            queries.Add(mixed);
        }

        foreach (var query in queries)
        {
            // A column outside the query's terms holding NaN would poison every score that read it.
            var poisoned = (float[])block.Clone();
            for (var d = 0; d < Dimension; d++)
            {
                if (query[d] == 0f)
                {
                    poisoned.AsSpan(d * 304, 304).Fill(float.NaN);
                }
            }

            var scores = new float[Rows];
            PathNamed(path)(poisoned, 304, Terms(query), scores);

            for (var row = 0; row < Rows; row++)
            {
                Assert.Equal(ReferenceDot(vectors[row], query), scores[row], 1e-5);
            }
        }
    }

    [Fact]
    public void Query_terms_are_the_non_zero_coordinates_in_order()
    {
        var query = new float[37];
        query[0] = 0.5f;
        query[9] = -0.25f;
        query[10] = -0f;
        query[31] = 1f;
        query[36] = 2f;
        for (var d = 16; d < 24; d++)
        {
            query[d] = d; // a whole vector's worth of non-zeros
        }

        var terms = Terms(query);

        Assert.Equal(37, terms.Dimension);
        Assert.Equal([0, 9, 16, 17, 18, 19, 20, 21, 22, 23, 31, 36], terms.Indices.ToArray());
        Assert.Equal([0.5f, -0.25f, 16, 17, 18, 19, 20, 21, 22, 23, 1f, 2f], terms.Weights.ToArray());
        Assert.Equal(0, Terms(new float[40]).Count);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_query_without_terms_scores_every_row_zero(string path)
    {
        var scores = new float[20];
        Array.Fill(scores, 5f);

        PathNamed(path)(new float[16 * 32], 32, Terms(new float[16]), scores);

        Assert.All(scores, s => Assert.Equal(0f, s));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Identical_vectors_get_bit_identical_scores_in_every_row_position(string path)
    {
        // 37 rows: the two-vector steps, a one-vector step and a scalar tail all run; 13 terms: an 8-, a 4- and a 1-column pass.
        const int Dimension = 27;
        const int Rows = 37;
        var random = new Random(3);
        var vector = RandomUnit(random, Dimension);
        var block = new float[Dimension * 48];
        for (var row = 0; row < Rows; row++)
        {
            for (var d = 0; d < Dimension; d++)
            {
                block[(d * 48) + row] = vector[d];
            }
        }

        var query = RandomUnit(random, Dimension);
        for (var d = 0; d < Dimension; d += 2)
        {
            query[d] = 0f;
        }

        var terms = Terms(query);
        Assert.Equal(13, terms.Count);
        var scores = new float[Rows];

        PathNamed(path)(block, 48, terms, scores);

        Assert.All(scores, s => Assert.Equal(BitConverter.SingleToInt32Bits(scores[0]), BitConverter.SingleToInt32Bits(s)));
        Assert.Equal(ReferenceDot(vector, query), scores[0], 1e-5);
    }

    [Fact]
    public void A_block_too_small_for_its_shape_or_a_term_outside_it_is_refused_before_any_read()
    {
        float[] query = [1f, 0f, 1f];

        Assert.Throws<ArgumentException>(() => ColumnDotKernel.Score(new float[(3 * 16) - 1], 16, Terms(query), new float[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ColumnDotKernel.Score(new float[3 * 16], 16, Terms(query), new float[17]));
        Assert.Throws<ArgumentException>(() => ColumnDotKernel.ScorePortable(new float[(3 * 16) - 1], 16, Terms(query), new float[16]));
        Assert.Throws<ArgumentException>(() =>
        {
            // Terms are a view over the caller's buffers: a later change to them must not send the kernel out of bounds.
            var indices = new int[3];
            var terms = QueryTerms.Collect(query, indices, new float[3]);
            indices[1] = 3;
            ColumnDotKernel.Score(new float[3 * 16], 16, terms, new float[16]);
        });
    }
}
