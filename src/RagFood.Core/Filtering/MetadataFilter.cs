using System.Text.Json;

namespace RagFood.Core.Filtering;

/// <summary>A parsed metadata filter in Upstash Vector's syntax, e.g. <c>region = 'India' AND type != 'Dessert'</c>.</summary>
/// <remarks>
/// Parsed once at the edge; stores receive the AST (<see cref="Root"/>): Upstash sends <see cref="Text"/>
/// (canonical form), Chroma translates to a <c>where</c> document, SQLite and the emulator call <see cref="Matches"/>.
/// </remarks>
public sealed class MetadataFilter
{
    private MetadataFilter(FilterNode root, string text)
    {
        Root = root;
        Text = text;
    }

    public FilterNode Root { get; }

    /// <summary>Canonical text: parsing it again yields an equal tree.</summary>
    public string Text { get; }

    /// <summary>Parses a filter.</summary>
    /// <returns><c>null</c> for a null, empty or blank filter (meaning "no filter").</returns>
    /// <exception cref="FilterSyntaxException">The text is not a valid filter; the message gives position and token.</exception>
    public static MetadataFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var root = FilterParser.Parse(text);
        return new MetadataFilter(root, FilterPrinter.Print(root));
    }

    /// <summary>Wraps an already-built tree.</summary>
    public static MetadataFilter FromTree(FilterNode root) => new(root, FilterPrinter.Print(root));

    /// <summary>Evaluates the filter against a record's metadata (a JSON object, or null for none).</summary>
    public bool Matches(JsonElement? metadata) => FilterEvaluator.Evaluate(Root, metadata);

    public override string ToString() => Text;
}
