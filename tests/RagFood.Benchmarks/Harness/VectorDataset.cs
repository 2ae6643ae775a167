using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Benchmarks.Harness;

/// <summary>Deterministic records (unit vectors, text, two metadata fields) and query vectors, shared by both sides of
/// a provider-vs-official-client comparison so each does exactly the same work.</summary>
internal sealed record VectorDataset(IReadOnlyList<VectorRecord> Records, IReadOnlyList<float[]> Queries)
{
    public static VectorDataset Create(int records, int queries, int dimension)
    {
        var random = new Random(20261124);
        var regions = new[] { "India", "Japan", "Mexico", "Italy", "Poland" };
        var list = new List<VectorRecord>(records);
        for (var i = 0; i < records; i++)
        {
            var metadata = JsonDocument.Parse($$"""{"n":{{i}},"region":"{{regions[i % regions.Length]}}"}""").RootElement.Clone();
            list.Add(new VectorRecord($"rec-{i:D6}") { Vector = UnitVector(random, dimension), Text = $"Benchmark food number {i} from {regions[i % regions.Length]}.", Metadata = metadata });
        }

        return new VectorDataset(list, Enumerable.Range(0, queries).Select(_ => UnitVector(random, dimension)).ToList());
    }

    /// <summary>The dataset as the node scripts read it; <paramref name="textField"/> is the client's name for the text
    /// (Chroma: <c>documents</c>, Upstash: <c>data</c>).</summary>
    public string ToJson(string textField)
    {
        var document = new Dictionary<string, object?>
        {
            ["ids"] = Records.Select(r => r.Id),
            ["vectors"] = Records.Select(r => r.Vector),
            [textField] = Records.Select(r => r.Text),
            ["metadatas"] = Records.Select(r => r.Metadata),
            ["queries"] = Queries,
        };
        return JsonSerializer.Serialize(document);
    }

    private static float[] UnitVector(Random random, int dimension)
    {
        var vector = new float[dimension];
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }
}
