using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagFood.UpstashEmulator;

/// <summary>RFC 7396 JSON merge patch, as Upstash's <c>metadataUpdateMode: "PATCH"</c> applies it.</summary>
internal static class MergePatch
{
    public static JsonElement? Apply(JsonElement? target, JsonElement patch)
    {
        var merged = Merge(target is { } t ? JsonNode.Parse(t.GetRawText()) : null, JsonNode.Parse(patch.GetRawText()));
        return merged is null ? null : JsonSerializer.SerializeToElement(merged);
    }

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            // A non-object patch replaces the target wholesale (arrays included).
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject && result[key] is JsonObject existing)
            {
                // Merge nested objects in place so the target's key order is kept.
                Merge(existing, value);
            }
            else
            {
                result[key] = Merge(null, value);
            }
        }

        return result;
    }
}
