using System.Text.Json;

namespace RagFood.Core.Filtering;

/// <summary>A parsed metadata filter in Upstash Vector's syntax, e.g. <c>region = 'India' AND type != 'Dessert'</c>.</summary>
/// <remarks>
/// <para>Parsed once at the edge; stores receive the AST (<see cref="Root"/>): Upstash sends <see cref="Text"/>
/// (canonical form), Chroma translates to a <c>where</c> document, SQLite and the emulator call <see cref="Matches"/>.</para>
/// <para>Grammar (keywords and booleans case-insensitive): comparisons <c>= != &lt; &lt;= &gt; &gt;=</c> (ordering on
/// numbers only), <c>[NOT] GLOB 'pattern'</c>, <c>[NOT] IN (v, ...)</c>, <c>[NOT] CONTAINS v</c> (arrays),
/// <c>HAS [NOT] FIELD path</c>, <c>AND</c> binding tighter than <c>OR</c>, parentheses; paths <c>a.b[0].c[#-1]</c>;
/// literals: single- or double-quoted strings (backslash escapes, doubled quotes), numbers, <c>true</c>/<c>false</c>.</para>
/// <para>A missing field or a type mismatch makes every value operator false, negated ones included; only
/// <c>HAS NOT FIELD</c> matches absence. Instances are immutable and <see cref="Matches"/> is thread-safe.</para>
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
    /// <remarks>The tree is printed and parsed again, so <see cref="Root"/> is the normalised equivalent of
    /// <paramref name="root"/> (nested connectives flattened, GLOB patterns compiled) and is validated like text.</remarks>
    /// <exception cref="ArgumentException">The tree has no text form (e.g. an empty AND, an empty IN list, a field
    /// name the grammar cannot read, a non-finite number) or holds a malformed GLOB pattern.</exception>
    public static MetadataFilter FromTree(FilterNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var text = FilterPrinter.Print(root);
        return new MetadataFilter(FilterParser.Parse(text), text);
    }

    /// <summary>Evaluates the filter against a record's metadata (a JSON object, or null for none).</summary>
    public bool Matches(JsonElement? metadata) => FilterEvaluator.Evaluate(Root, metadata);

    public override string ToString() => Text;
}
