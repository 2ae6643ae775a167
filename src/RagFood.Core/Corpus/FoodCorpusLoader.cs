using System.Text.Json;

namespace RagFood.Core.Corpus;

/// <summary>Reads food items in the foods.json schema and its aliases.</summary>
public static class FoodCorpusLoader
{
    /// <summary>Loads a JSON array of items from a stream.</summary>
    /// <exception cref="JsonException">The document is not a JSON array.</exception>
    public static Task<CorpusLoadResult> LoadAsync(Stream json, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("corpus: in progress");

    /// <summary>Maps already-parsed items (e.g. from an Ingest RPC).</summary>
    public static CorpusLoadResult Map(IReadOnlyList<JsonElement> items) => throw new NotImplementedException("corpus: in progress");
}
