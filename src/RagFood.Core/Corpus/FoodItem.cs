using System.Text.Json;

namespace RagFood.Core.Corpus;

/// <summary>One food from the knowledge base, after alias mapping.</summary>
/// <param name="Id">Unique string id.</param>
/// <param name="Text">The description (from <c>text</c> or <c>description</c>).</param>
/// <param name="Region">From <c>region</c> or <c>origin</c>.</param>
/// <param name="Type">From <c>type</c> or <c>category</c>.</param>
public sealed record FoodItem(string Id, string Text, string? Region, string? Type)
{
    /// <summary>From <c>name</c>, when present.</summary>
    public string? Name { get; init; }

    /// <summary>Fields the loader did not map, kept as metadata (JSON values).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>
    /// The text that is embedded, as the original app built it:
    /// text + " This food is popular in {region}." + " It is a type of {type}."
    /// </summary>
    public string EnrichedText => throw new NotImplementedException("corpus: in progress");

    /// <summary>Metadata stored with the record: region, type, name, original text and the extra fields.</summary>
    public JsonElement ToMetadata() => throw new NotImplementedException("corpus: in progress");
}

/// <summary>An item the loader could not use, and why.</summary>
public sealed record CorpusProblem(int Index, string? Id, string Reason);

/// <summary>What a load produced: usable items and problems (each unusable item with its id and reason).</summary>
public sealed record CorpusLoadResult(IReadOnlyList<FoodItem> Items, IReadOnlyList<CorpusProblem> Problems);
