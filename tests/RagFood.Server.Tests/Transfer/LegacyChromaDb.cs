using System.Net.Http.Json;
using System.Text.Json;
using RagFood.Core.Corpus;
using RagFood.Core.Embeddings;
using RagFood.Providers.Tests.Chroma;

namespace RagFood.Server.Tests.Transfer;

/// <summary>A chroma_db written through a real Chroma server the way the original Python app wrote it: collection
/// <c>foods</c>, raw texts as documents, no metadata at all, vectors computed from the enriched text.</summary>
/// <remarks>The corpus has one item the legacy store lacks (<c>hummus</c>) and the legacy store one record the corpus
/// lacks (<c>legacy-only</c>), so the join has something to report on each side.</remarks>
public sealed class LegacyChromaDbFixture : IAsyncLifetime
{
    public const int Dimension = 64;

    private ChromaServer? _server;

    public HashingEmbeddingGenerator Embedder { get; } = new(Dimension);

    public string Directory => _server!.DataDirectory;

    /// <summary>The corpus file (the server tests' corpus) the join reads.</summary>
    public string CorpusPath { get; } = Path.Combine(System.IO.Directory.CreateTempSubdirectory("ragfood-legacy-corpus-").FullName, "foods.json");

    public IReadOnlyList<FoodItem> Corpus { get; private set; } = [];

    public async Task InitializeAsync()
    {
        File.WriteAllText(CorpusPath, Support.TestCorpus.Json);
        Corpus = (await FoodCorpusLoader.LoadFileAsync(CorpusPath)).Items;
        var legacy = Corpus.Where(i => i.Id != "hummus").Select(i => (i.Id, Document: i.Text, Embedded: i.EnrichedText)).ToList();
        legacy.Add(("legacy-only", "A dish the corpus never heard of.", "A dish the corpus never heard of."));

        _server = await ChromaServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(_server.Url, "/api/v2/tenants/default_tenant/databases/default_database/") };
        using var create = await http.PostAsJsonAsync("collections", new { name = "foods", metadata = new Dictionary<string, object> { ["hnsw:space"] = "l2" } });
        create.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var add = await http.PostAsJsonAsync($"collections/{id}/add", new
        {
            ids = legacy.Select(l => l.Id).ToArray(),
            documents = legacy.Select(l => l.Document).ToArray(),
            embeddings = legacy.Select(l => Embedder.Embed(l.Embedded)).ToArray(),
        });
        add.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        System.IO.Directory.Delete(Path.GetDirectoryName(CorpusPath)!, recursive: true);
    }
}
