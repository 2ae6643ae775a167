using System.Numerics.Tensors;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Tests.Sqlite;

public sealed class DotKernelTests
{
    [Theory]
    [InlineData(3, 5)]
    [InlineData(8, 4)]
    [InlineData(13, 9)]
    [InlineData(64, 1)]
    [InlineData(1024, 7)]
    public void Row_dot_products_equal_the_reference_for_any_dimension_and_row_count(int dimension, int rows)
    {
        var random = new Random(dimension * 31 + rows);
        var data = Enumerable.Range(0, dimension * rows).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var query = Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var results = new float[rows];

        DotKernel.DotRows(data, query, results);

        for (var row = 0; row < rows; row++)
        {
            var expected = TensorPrimitives.Dot(data.AsSpan(row * dimension, dimension), query);
            Assert.Equal(expected, results[row], 1e-4f);
        }
    }
}
