using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Chroma's request and response JSON: include lists, id and float arrays, get and query results.</summary>
internal static class ChromaJson
{
    public static void WriteIncludes(Utf8JsonWriter writer, Include include)
    {
        if (include.Text)
        {
            writer.WriteStringValue("documents");
        }

        if (include.Metadata)
        {
            writer.WriteStringValue("metadatas");
        }

        if (include.Vectors)
        {
            writer.WriteStringValue("embeddings");
        }
    }

    public static void WriteStringArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    public static void WriteFloatArray(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartArray();
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    public static List<VectorRecord> ReadGetResult(JsonElement root, Include include)
    {
        var ids = root.GetProperty("ids");
        var documents = ArrayOrNull(root, "documents");
        var metadatas = ArrayOrNull(root, "metadatas");
        var embeddings = ArrayOrNull(root, "embeddings");
        var result = new List<VectorRecord>(ids.GetArrayLength());
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            result.Add(new VectorRecord(id.GetString()!)
            {
                Text = include.Text ? ReadDocument(documents, i) : null,
                Metadata = include.Metadata ? ReadMetadata(metadatas, i) : null,
                Vector = include.Vectors ? ReadVector(embeddings, i) : null,
            });
            i++;
        }

        return result;
    }

    public static List<ScoredRecord> ReadQueryResult(JsonElement root, ChromaSpace space, Include include, float[] queryVector)
    {
        var ids = root.GetProperty("ids")[0];
        var distances = root.GetProperty("distances")[0];
        var documents = ArrayOrNull(root, "documents") is { } d ? d[0] : (JsonElement?)null;
        var metadatas = ArrayOrNull(root, "metadatas") is { } m ? m[0] : (JsonElement?)null;
        var embeddings = ArrayOrNull(root, "embeddings") is { } e ? e[0] : (JsonElement?)null;
        var result = new List<ScoredRecord>(ids.GetArrayLength());
        var i = 0;
        foreach (var id in ids.EnumerateArray())
        {
            var distance = distances[i].GetDouble();
            var stored = include.Vectors || space == ChromaSpace.L2 ? ReadVector(embeddings, i) : null;
            var score = space == ChromaSpace.L2 && stored is not null
                ? ChromaSpaceExtensions.RelevanceOf(queryVector, stored) ?? space.DistanceToScore(distance)
                : space.DistanceToScore(distance);
            result.Add(new ScoredRecord(id.GetString()!, score)
            {
                RawScore = distance,
                Text = include.Text ? ReadDocument(documents, i) : null,
                Metadata = include.Metadata ? ReadMetadata(metadatas, i) : null,
                Vector = include.Vectors ? stored : null,
            });
            i++;
        }

        return result;
    }

    public static JsonElement? ArrayOrNull(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value : null;

    public static string? ReadDocument(JsonElement? documents, int index)
    {
        if (documents is not { } array || array[index].ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // RagFood stores records without text with an empty document.
        var text = array[index].GetString();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static JsonElement? ReadMetadata(JsonElement? metadatas, int index) =>
        metadatas is { } array ? ChromaMetadataCodec.Read(array[index]) : null;

    public static float[]? ReadVector(JsonElement? embeddings, int index)
    {
        if (embeddings is not { } array || array[index].ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var element = array[index];
        var vector = new float[element.GetArrayLength()];
        var i = 0;
        foreach (var value in element.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }

        return vector;
    }
}
