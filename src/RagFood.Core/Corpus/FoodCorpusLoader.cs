using System.Globalization;
using System.Text.Json;

namespace RagFood.Core.Corpus;

/// <summary>Reads food items in the foods.json schema and its aliases.</summary>
/// <remarks>
/// <para>Schema: <c>{id, text, region?, type?}</c> plus any extra fields. Aliases (keys matched ignoring case; an
/// exact lower-case key wins over another spelling, and the canonical name over its alias):
/// <c>text</c> / <c>description</c>, <c>region</c> / <c>origin</c>, <c>type</c> / <c>category</c>, and <c>name</c>.
/// An alias that loses to another field (e.g. <c>description</c> next to <c>text</c>) is kept as an extra field,
/// so nothing in the source is lost. All other fields are kept in <see cref="FoodItem.Extra"/> and become metadata.</para>
/// <para>Values: the id is a string, or a number (stored as its decimal text: <c>12</c> → <c>"12"</c>). Text,
/// region, type and name are strings (a number or boolean there is taken as its JSON text); leading and trailing
/// whitespace is trimmed, and an empty or null value counts as absent. An item without <c>text</c> or
/// <c>description</c> but with a <c>name</c> uses the name as its text: a name alone is little to retrieve by,
/// but it is what the source says about the food, and dropping such items would lose them silently from search.</para>
/// <para>Unusable items are reported as <see cref="CorpusProblem"/>s and the rest are loaded: not an object, a
/// missing, empty or non-scalar id, an id over <see cref="MaxIdLength"/> characters, no text, a text over
/// <see cref="MaxTextLength"/> characters. Ids are unique per file: the first occurrence of an id is the one
/// considered and every later occurrence is reported as a duplicate (never merged).</para>
/// </remarks>
public static class FoodCorpusLoader
{
    /// <summary>Longest accepted id, in UTF-16 characters.</summary>
    public const int MaxIdLength = VectorStores.Kernel.VectorStoreLimits.MaxIdLength;

    /// <summary>Longest accepted text (before enrichment), in UTF-16 characters.</summary>
    public const int MaxTextLength = 8000;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private enum Role
    {
        None,
        Id,
        Text,
        Region,
        Type,
        Name,
    }

    /// <summary>Loads a JSON array of items from a stream.</summary>
    /// <remarks>Comments and trailing commas are tolerated. See the type remarks for the mapping.</remarks>
    /// <exception cref="JsonException">The stream is not JSON, or the document is not a JSON array.</exception>
    public static async Task<CorpusLoadResult> LoadAsync(Stream json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = await JsonDocument.ParseAsync(json, DocumentOptions, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException(
                $"A food corpus must be a JSON array of items ([{{\"id\": ..., \"text\": ...}}, ...]); this document is a JSON {Describe(root.ValueKind)}.");
        }

        // Map clones everything it keeps, so the items outlive the document.
        return Map(root.EnumerateArray().ToList());
    }

    /// <summary>Loads a JSON array of items from a file.</summary>
    /// <exception cref="JsonException">The file is not JSON, or the document is not a JSON array.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<CorpusLoadResult> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Maps already-parsed items (e.g. from an Ingest RPC).</summary>
    /// <remarks>The items keep no reference to <paramref name="items"/>' documents (extra values are cloned).</remarks>
    public static CorpusLoadResult Map(IReadOnlyList<JsonElement> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var loaded = new List<FoodItem>(items.Count);
        var problems = new List<CorpusProblem>();
        var firstIndexById = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new CorpusProblem(index, null, $"the item is a JSON {Describe(item.ValueKind)}, not an object"));
                continue;
            }

            var fields = Classify(item);
            var (id, idProblem) = ReadId(fields.Id);
            if (id is null)
            {
                problems.Add(new CorpusProblem(index, null, idProblem!));
                continue;
            }

            if (!firstIndexById.TryAdd(id, index))
            {
                problems.Add(new CorpusProblem(index, id, $"duplicate id '{Shorten(id)}': first seen at index {firstIndexById[id]}; this occurrence was skipped"));
                continue;
            }

            if (id.Length > MaxIdLength)
            {
                problems.Add(new CorpusProblem(index, id, $"the id is {id.Length} characters long; the limit is {MaxIdLength}"));
                continue;
            }

            var name = ScalarText(fields.Name);
            var text = ScalarText(fields.Text) ?? name;
            if (text is null)
            {
                problems.Add(new CorpusProblem(index, id, "the item has no text: it needs a non-empty 'text', 'description' or 'name'"));
                continue;
            }

            if (text.Length > MaxTextLength)
            {
                problems.Add(new CorpusProblem(index, id, $"the text is {text.Length} characters long; the limit is {MaxTextLength}"));
                continue;
            }

            loaded.Add(new FoodItem(id, text, ScalarText(fields.Region), ScalarText(fields.Type))
            {
                Name = name,
                Extra = fields.Extra,
            });
        }

        return new CorpusLoadResult(loaded, problems);
    }

    /// <summary>The chosen property per role, and every other property as an extra field (cloned).</summary>
    private static Fields Classify(JsonElement item)
    {
        var chosen = new Dictionary<Role, (JsonElement Value, int Rank, int Position)>();
        var position = 0;
        foreach (var property in item.EnumerateObject())
        {
            var (role, rank) = RoleOf(property.Name);
            if (role != Role.None
                && (role == Role.Id || !IsAbsent(property.Value))
                && (!chosen.TryGetValue(role, out var current) || rank < current.Rank))
            {
                chosen[role] = (property.Value, rank, position);
            }

            position++;
        }

        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        position = 0;
        foreach (var property in item.EnumerateObject())
        {
            var isChosen = chosen.Values.Any(c => c.Position == position);
            if (!isChosen)
            {
                extra.TryAdd(property.Name, property.Value.Clone());
            }

            position++;
        }

        return new Fields(
            chosen.TryGetValue(Role.Id, out var id) ? id.Value : null,
            chosen.TryGetValue(Role.Text, out var text) ? text.Value : null,
            chosen.TryGetValue(Role.Region, out var region) ? region.Value : null,
            chosen.TryGetValue(Role.Type, out var type) ? type.Value : null,
            chosen.TryGetValue(Role.Name, out var name) ? name.Value : null,
            extra);
    }

    /// <summary>Role of a key and its rank (lower wins): canonical before alias, exact lower case before other casings.</summary>
    private static (Role Role, int Rank) RoleOf(string key)
    {
        var lower = key.ToLowerInvariant();
        var (role, aliasRank) = lower switch
        {
            "id" => (Role.Id, 0),
            "text" => (Role.Text, 0),
            "description" => (Role.Text, 1),
            "region" => (Role.Region, 0),
            "origin" => (Role.Region, 1),
            "type" => (Role.Type, 0),
            "category" => (Role.Type, 1),
            "name" => (Role.Name, 0),
            _ => (Role.None, 0),
        };
        return (role, (aliasRank * 2) + (string.Equals(key, lower, StringComparison.Ordinal) ? 0 : 1));
    }

    private static bool IsAbsent(JsonElement value) => ScalarText(value) is null;

    private static (string? Id, string? Problem) ReadId(JsonElement? value)
    {
        switch (value)
        {
            case null:
                return (null, "the item has no 'id'");
            case { ValueKind: JsonValueKind.String } s:
                var text = s.GetString()!;
                return string.IsNullOrWhiteSpace(text) ? (null, "the item's 'id' is empty") : (text, null);
            case { ValueKind: JsonValueKind.Number } n:
                // Integers print without exponent or fraction (12, not 12.0); other numbers as written.
                return (n.TryGetInt64(out var integer) ? integer.ToString(CultureInfo.InvariantCulture) : n.GetRawText(), null);
            case { ValueKind: JsonValueKind.Null }:
                return (null, "the item's 'id' is null");
            default:
                return (null, $"the item's 'id' is a JSON {Describe(value.Value.ValueKind)}; it must be a string or a number");
        }
    }

    /// <summary>Trimmed text of a string, number or boolean; null when absent, empty or not a scalar.</summary>
    private static string? ScalarText(JsonElement? value)
    {
        var text = value switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
            _ => null,
        };
        text = text?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value of unknown kind",
    };

    private static string Shorten(string id) => id.Length <= 80 ? id : string.Concat(id.AsSpan(0, 77), "...");

    private sealed record Fields(JsonElement? Id, JsonElement? Text, JsonElement? Region, JsonElement? Type, JsonElement? Name, Dictionary<string, JsonElement> Extra);
}
