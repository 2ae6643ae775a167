using System.Text.Json;
using RagFood.Benchmarks.Harness;
using RagFood.Client;
using RagFood.Testing;

namespace RagFood.Benchmarks.Benchmarks;

/// <summary>Starts the real server (its Release build) as a separate process for the RPC benchmarks.</summary>
internal static class ServerSupport
{
    /// <summary>Food questions the RPC benchmarks ask, in rotation.</summary>
    public static readonly string[] Questions =
    [
        "spicy rice dish from India", "sweet dessert with honey", "noodle soup", "grilled meat street food",
        "fermented vegetables", "flaky pastry with butter", "fish and seaweed", "chocolate cake",
    ];

    /// <summary>The shipped corpus, data/foods.json.</summary>
    public static string CorpusPath(BenchmarkContext context) => Path.Combine(context.RepoRoot, "data", "foods.json");

    /// <summary>Starts a server that ingests the shipped corpus and returns once every usable item is in the store.</summary>
    /// <param name="context">The run.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="settings">Extra environment settings for the server (e.g. <c>Edge__EnableQueryBaseline</c>).</param>
    public static async Task<ServerProcess> StartWithCorpusAsync(BenchmarkContext context, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var corpus = CorpusPath(context);
        var expected = await CountItemsAsync(corpus, cancellationToken);
        context.Log.WriteLine($"   starting the server with {expected} corpus items");
        long last = -1;
        var stableRounds = 0;
        var environment = new Dictionary<string, string>
        {
            ["Ingestion__OnStart"] = "true",
            ["Ingestion__CorpusPath"] = corpus,
            ["Ollama__Url"] = "",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return await ServerProcess.StartAsync(
            environment,
            ready: async (address, ct) =>
            {
                // Ready when every item is in, or the count has stopped moving (items the loader rejects never arrive).
                var count = await CountAsync(address, ct);
                stableRounds = count > 0 && count == last ? stableRounds + 1 : 0;
                last = count;
                return count >= expected || stableRounds >= 20;
            },
            timeout: TimeSpan.FromMinutes(5),
            cancellationToken: cancellationToken);
    }

    /// <summary>Starts a server with an empty store.</summary>
    public static Task<ServerProcess> StartEmptyAsync(CancellationToken cancellationToken) =>
        ServerProcess.StartAsync(
            new Dictionary<string, string> { ["Ingestion__OnStart"] = "false", ["Ollama__Url"] = "" },
            ready: async (address, ct) => await CountAsync(address, ct) >= 0,
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: cancellationToken);

    private static async Task<long> CountAsync(Uri address, CancellationToken cancellationToken)
    {
        using var client = RagFoodClient.Create(address.OriginalString, o => o.MaxRetries = 0);
        try
        {
            return (await client.InfoAsync(cancellationToken)).VectorCount;
        }
        catch (RagFoodException)
        {
            return -1;
        }
    }

    private static async Task<int> CountItemsAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.GetArrayLength();
    }
}
