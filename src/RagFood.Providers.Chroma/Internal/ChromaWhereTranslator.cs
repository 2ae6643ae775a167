using System.Buffers;
using System.Text.Json;
using RagFood.Core.Filtering;
using RagFood.Providers.Chroma;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Translates Core's filter AST to a Chroma <c>where</c> document.</summary>
/// <remarks>
/// <para>Supported: <c>= != &lt; &lt;= &gt; &gt;=</c> (→ <c>$eq $ne $lt $lte $gt $gte</c>), <c>IN</c>/<c>NOT IN</c>
/// (→ <c>$in</c>/<c>$nin</c>), <c>AND</c>/<c>OR</c> (→ <c>$and</c>/<c>$or</c>), on top-level metadata fields.</para>
/// <para>Refused before any request, with a <see cref="FilterSyntaxException"/> naming the operator and the store:
/// <c>GLOB</c>, <c>CONTAINS</c>, <c>HAS FIELD</c>, nested paths and array indexes, and order comparisons
/// (<c>&lt; &lt;= &gt; &gt;=</c>) against strings or booleans (Chroma orders numbers only).</para>
/// <para>Chroma's <c>$in</c> needs values of one type; mixed lists are split into one <c>$in</c> per type joined by
/// <c>$or</c> (<c>$nin</c>: joined by <c>$and</c>).</para>
/// <para>Semantics to know: Chroma's <c>$ne</c> and <c>$nin</c> also match records that lack the field.</para>
/// </remarks>
internal static class ChromaWhereTranslator
{
    /// <summary>Translates a filter to the UTF-8 JSON of a <c>where</c> object.</summary>
    /// <exception cref="FilterSyntaxException">The filter uses something Chroma cannot express.</exception>
    public static byte[] Translate(MetadataFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, filter.Root, filter.Text);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, FilterNode node, string text)
    {
        switch (node)
        {
            case AndNode and:
                WriteLogical(writer, "$and", and.Operands, text);
                break;
            case OrNode or:
                WriteLogical(writer, "$or", or.Operands, text);
                break;
            case ComparisonNode comparison:
                WriteComparison(writer, comparison, text);
                break;
            case InNode inNode:
                WriteIn(writer, inNode, text);
                break;
            case GlobNode glob:
                throw Refuse(glob.Negated ? "NOT GLOB" : "GLOB", text, "Chroma's where has no pattern matching on metadata");
            case ContainsNode contains:
                throw Refuse(contains.Negated ? "NOT CONTAINS" : "CONTAINS", text, "Chroma metadata holds no arrays");
            case HasFieldNode has:
                throw Refuse(has.Negated ? "HAS NOT FIELD" : "HAS FIELD", text, "Chroma's where has no field-existence test");
            default:
                throw Refuse(node.GetType().Name, text, "this filter node is unknown to the chroma store");
        }
    }

    private static void WriteLogical(Utf8JsonWriter writer, string op, IReadOnlyList<FilterNode> operands, string text)
    {
        if (operands.Count == 1)
        {
            Write(writer, operands[0], text);
            return;
        }

        writer.WriteStartObject();
        writer.WriteStartArray(op);
        foreach (var operand in operands)
        {
            Write(writer, operand, text);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteComparison(Utf8JsonWriter writer, ComparisonNode node, string text)
    {
        var field = FieldName(node.Path, text);
        var op = node.Operator switch
        {
            ComparisonOperator.Equal => "$eq",
            ComparisonOperator.NotEqual => "$ne",
            ComparisonOperator.LessThan => "$lt",
            ComparisonOperator.LessThanOrEqual => "$lte",
            ComparisonOperator.GreaterThan => "$gt",
            _ => "$gte",
        };
        if (op is "$lt" or "$lte" or "$gt" or "$gte" && node.Value is not FilterValue.Number)
        {
            var symbol = node.Operator switch
            {
                ComparisonOperator.LessThan => "<",
                ComparisonOperator.LessThanOrEqual => "<=",
                ComparisonOperator.GreaterThan => ">",
                _ => ">=",
            };
            throw Refuse(symbol, text, $"Chroma compares order of numbers only, and '{field}' is compared with a {(node.Value is FilterValue.String ? "string" : "boolean")}");
        }

        writer.WriteStartObject();
        writer.WriteStartObject(field);
        writer.WritePropertyName(op);
        WriteValue(writer, node.Value);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteIn(Utf8JsonWriter writer, InNode node, string text)
    {
        var field = FieldName(node.Path, text);
        var op = node.Negated ? "$nin" : "$in";
        if (node.Values.Count == 0)
        {
            throw Refuse(node.Negated ? "NOT IN ()" : "IN ()", text, "Chroma refuses an empty value list");
        }

        // Chroma wants one type per $in list: group strings, numbers and booleans.
        var groups = node.Values.GroupBy(v => v.GetType()).ToList();
        if (groups.Count > 1)
        {
            writer.WriteStartObject();
            writer.WriteStartArray(node.Negated ? "$and" : "$or");
        }

        foreach (var group in groups)
        {
            writer.WriteStartObject();
            writer.WriteStartObject(field);
            writer.WriteStartArray(op);
            foreach (var value in group)
            {
                WriteValue(writer, value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        if (groups.Count > 1)
        {
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    private static string FieldName(FieldPath path, string text)
    {
        if (!path.IsSimpleName)
        {
            var isIndex = path.Segments.Any(s => s is not PathSegment.Name);
            throw Refuse(isIndex ? "array index" : "nested field path", text,
                $"Chroma metadata is flat, so '{path}' cannot be addressed; filter on top-level fields only");
        }

        var name = ((PathSegment.Name)path.Segments[0]).Value;
        if (ChromaMetadataCodec.IsReservedKey(name))
        {
            throw Refuse($"field '{name}'", text, "keys starting with 'ragfood:' or 'chroma:' are reserved");
        }

        return name;
    }

    private static void WriteValue(Utf8JsonWriter writer, FilterValue value)
    {
        switch (value)
        {
            case FilterValue.String s:
                writer.WriteStringValue(s.Value);
                break;
            case FilterValue.Boolean b:
                writer.WriteBooleanValue(b.Value);
                break;
            case FilterValue.Number n when Math.Abs(n.Value) < 9e15 && n.Value == Math.Floor(n.Value):
                writer.WriteNumberValue((long)n.Value);
                break;
            case FilterValue.Number n:
                writer.WriteNumberValue(n.Value);
                break;
        }
    }

    private static FilterSyntaxException Refuse(string op, string text, string why)
    {
        var token = op.Split(' ')[0];
        var position = Math.Max(0, text.IndexOf(token, StringComparison.OrdinalIgnoreCase));
        return new FilterSyntaxException(
            $"The chroma store cannot express {op} in filter \"{text}\": {why}. Chroma's where supports =, !=, <, <=, >, >= (numbers), IN, NOT IN, AND and OR on top-level fields.",
            position,
            op);
    }
}
