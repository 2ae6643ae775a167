using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using RagFood.Benchmarks.Harness;
using RagFood.Client;
using RagFood.Contracts.V1;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Ingest RPC throughput into the embedded default (SQLite + built-in embedder), batches of 100.</summary>
internal sealed class IngestThroughputBenchmark : IBenchmark
{
    private static readonly string[] Regions = ["India", "Japan", "Mexico", "France", "Italy", "Thailand", "Peru", "Ethiopia"];
    private static readonly string[] Types = ["Main Course", "Dessert", "Street Food", "Soup", "Snack", "Drink"];
    private static readonly string[] Words =
    [
        "rice", "noodles", "spiced", "grilled", "sweet", "sour", "crispy", "fried", "steamed", "chili", "garlic", "ginger",
        "coconut", "lime", "beans", "lentils", "pork", "chicken", "beef", "tofu", "cheese", "bread", "dumpling", "broth",
        "honey", "pastry", "saffron", "cumin", "herbs", "tomato", "onion", "pepper", "mushroom", "seaweed", "corn", "yogurt",
    ];

    public string Name => "ingest";

    public string Description => "Ingest RPC into the embedded default (SQLite + built-in embedder), 10,000 records in batches of 100.";

    public async Task<IReadOnlyList<BenchmarkRow>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Pick(10_000, 1_000);
        const int batchSize = 100;
        var items = Generate(count);
        await using var server = await ServerSupport.StartEmptyAsync(cancellationToken);
        using var client = RagFoodClient.Create(server.Address.OriginalString, o => o.DefaultDeadline = TimeSpan.FromMinutes(2));

        // Warm-up in another namespace, so the measured run writes every record fresh.
        await client.IngestAsync(Batch("warmup", items.Take(batchSize)), cancellationToken);

        var written = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var offset = 0; offset < count; offset += batchSize)
        {
            var response = await client.IngestAsync(Batch("", items.Skip(offset).Take(batchSize)), cancellationToken);
            written += response.Written;
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (written != count)
        {
            throw new InvalidOperationException($"Expected {count} records written, the server reported {written}.");
        }

        return
        [
            new(Name, $"ingest {count:N0} records", "throughput", count / elapsed.TotalSeconds, "records/s")
            {
                Note = $"batches of {batchSize} over one client, sequential; {elapsed.TotalSeconds:0.0} s; server RSS after {ProcessMemory.ResidentMegabytes(server.ProcessId):0} MB",
            },
        ];
    }

    private static IngestRequest Batch(string ns, IEnumerable<Struct> items)
    {
        var request = new IngestRequest { Namespace = ns };
        request.Items.AddRange(items);
        return request;
    }

    private static List<Struct> Generate(int count)
    {
        var random = new Random(11);
        var items = new List<Struct>(count);
        for (var i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, 12).Select(_ => Words[random.Next(Words.Length)]);
            items.Add(new Struct
            {
                Fields =
                {
                    ["id"] = Value.ForString("bench-" + i.ToString(CultureInfo.InvariantCulture)),
                    ["text"] = Value.ForString($"Dish {i} is a {string.Join(' ', words)} specialty."),
                    ["region"] = Value.ForString(Regions[i % Regions.Length]),
                    ["type"] = Value.ForString(Types[i % Types.Length]),
                },
            });
        }

        return items;
    }
}
