using System.Globalization;
using System.Text.Json;
using RagFood.Providers.Chroma;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>What the provider knows about one Chroma collection (cached per collection name).</summary>
/// <param name="Id">Chroma's collection id (data calls address collections by id).</param>
/// <param name="Name">Collection name.</param>
/// <param name="Space">Distance function the collection was created with.</param>
/// <param name="RecordedModel">Embedding model recorded in the collection metadata by RagFood, if any.</param>
/// <param name="RecordedDimension">Dimension recorded by RagFood, if any.</param>
/// <param name="Dimension">Chroma's own dimension (null until the first vector was written).</param>
/// <param name="Metadata">The collection's metadata as Chroma returned it.</param>
internal sealed record ChromaCollection(
    string Id,
    string Name,
    ChromaSpace Space,
    string? RecordedModel,
    int? RecordedDimension,
    int? Dimension,
    IReadOnlyDictionary<string, JsonElement> Metadata)
{
    /// <summary>The dimension of the vectors in the collection, when anything says.</summary>
    public int? KnownDimension => Dimension ?? RecordedDimension;

    /// <summary>Reads a collection object of Chroma's v2 API.</summary>
    public static ChromaCollection Parse(JsonElement root)
    {
        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in meta.EnumerateObject())
            {
                metadata[property.Name] = property.Value.Clone();
            }
        }

        // Legacy collections (Python chromadb ≤ 0.6) chose their space with the metadata key "hnsw:space", and that is
        // what their index was built with; newer ones carry it in the configuration. Chroma's own default is l2.
        var space = ChromaSpace.L2;
        if (metadata.TryGetValue("hnsw:space", out var legacySpace) && legacySpace.ValueKind == JsonValueKind.String
            && ChromaSpaceParser.TryParse(legacySpace.GetString(), out var parsedLegacy))
        {
            space = parsedLegacy;
        }
        else if (root.TryGetProperty("configuration_json", out var configuration) && configuration.ValueKind == JsonValueKind.Object
            && configuration.TryGetProperty("hnsw", out var hnsw) && hnsw.ValueKind == JsonValueKind.Object
            && hnsw.TryGetProperty("space", out var configuredSpace) && configuredSpace.ValueKind == JsonValueKind.String
            && ChromaSpaceParser.TryParse(configuredSpace.GetString(), out var parsedConfigured))
        {
            space = parsedConfigured;
        }

        string? model = metadata.TryGetValue(ChromaVectorStore.EmbeddingModelKey, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        int? recordedDimension = metadata.TryGetValue(ChromaVectorStore.DimensionKey, out var d) ? ReadInt(d) : null;
        int? dimension = root.TryGetProperty("dimension", out var dim) ? ReadInt(dim) : null;
        return new ChromaCollection(
            root.GetProperty("id").GetString()!,
            root.GetProperty("name").GetString()!,
            space,
            string.IsNullOrWhiteSpace(model) ? null : model,
            recordedDimension,
            dimension,
            metadata);
    }

    private static int? ReadInt(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt32(out var i) && i > 0 => i,
        JsonValueKind.String when int.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i > 0 => i,
        _ => null,
    };
}
