using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Corpus;

/// <summary>One food from the knowledge base, after alias mapping.</summary>
/// <param name="Id">Unique string id.</param>
/// <param name="Text">The description (from <c>text</c> or <c>description</c>; from <c>name</c> when neither is given).</param>
/// <param name="Region">From <c>region</c> or <c>origin</c>.</param>
/// <param name="Type">From <c>type</c> or <c>category</c>.</param>
/// <remarks>
/// Equality is record equality: <see cref="Extra"/> compares by reference. Compare <see cref="ContentHash"/> to
/// decide whether two items would store the same record.
/// </remarks>
public sealed record FoodItem(string Id, string Text, string? Region, string? Type)
{
    /// <summary>Source key of the description; never a metadata key, because the text is the record's own text.</summary>
    public const string TextKey = "text";

    /// <summary>Metadata key of the region.</summary>
    public const string RegionKey = "region";

    /// <summary>Metadata key of the type.</summary>
    public const string TypeKey = "type";

    /// <summary>Metadata key of the name.</summary>
    public const string NameKey = "name";

    private static readonly JsonWriterOptions CanonicalWriterOptions = new()
    {
        // Fixed escaping keeps hashes stable; relaxed escaping keeps non-ASCII text readable in stored metadata.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>From <c>name</c>, when present.</summary>
    public string? Name { get; init; }

    /// <summary>Fields the loader did not map, kept as metadata (JSON values).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>
    /// The text that is embedded, as the original app built it:
    /// text + " This food is popular in {region}." + " It is a type of {type}."
    /// </summary>
    /// <remarks>Each sentence is added only when its field is present.</remarks>
    public string EnrichedText => Enrich(Text, Region, Type);

    /// <summary>SHA-256 (lower-case hex) of <see cref="EnrichedText"/> and the canonical form of <see cref="ToMetadata"/>.</summary>
    /// <remarks>Ingestion compares it with the hash stored alongside a record to skip items that did not change.
    /// It does not depend on the order of fields in the source file.</remarks>
    public string ContentHash => RecordContentHash.Compute(EnrichedText, ToMetadata());

    /// <summary>Builds the embedded text from its parts exactly as <see cref="EnrichedText"/> does.</summary>
    public static string Enrich(string text, string? region, string? type)
    {
        ArgumentNullException.ThrowIfNull(text);
        var enriched = new StringBuilder(text);
        if (region is not null)
        {
            enriched.Append(" This food is popular in ").Append(region).Append('.');
        }

        if (type is not null)
        {
            enriched.Append(" It is a type of ").Append(type).Append('.');
        }

        return enriched.ToString();
    }

    /// <summary>Metadata stored with the record: region, type, name and the extra fields.</summary>
    /// <remarks>
    /// A JSON object with <c>region</c>, <c>type</c> and <c>name</c> when present, then the extra fields in source
    /// order. The description is not repeated here: the record's text is <see cref="EnrichedText"/>, which starts
    /// with it, so a copy would double every query response for nothing. An extra field whose name equals
    /// <c>text</c> or one of the three keys (possible only when the source repeats a field in another letter case)
    /// is left out, so the mapped value wins. The returned element owns its memory (it does not depend on a live
    /// document).
    /// </remarks>
    public JsonElement ToMetadata()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, CanonicalWriterOptions))
        {
            writer.WriteStartObject();
            if (Region is not null)
            {
                writer.WriteString(RegionKey, Region);
            }

            if (Type is not null)
            {
                writer.WriteString(TypeKey, Type);
            }

            if (Name is not null)
            {
                writer.WriteString(NameKey, Name);
            }

            foreach (var (key, value) in Extra)
            {
                if (key is TextKey or RegionKey or TypeKey or NameKey)
                {
                    continue;
                }

                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }
}

/// <summary>An item the loader could not use, and why.</summary>
/// <param name="Index">0-based position of the item in the source array.</param>
/// <param name="Id">The item's id when it has a usable one, else <c>null</c>.</param>
/// <param name="Reason">Why the item was skipped, in words a person can act on.</param>
public sealed record CorpusProblem(int Index, string? Id, string Reason);

/// <summary>What a load produced: usable items and problems (each unusable item with its id and reason).</summary>
public sealed record CorpusLoadResult(IReadOnlyList<FoodItem> Items, IReadOnlyList<CorpusProblem> Problems);
