using System.Globalization;
using System.Text;

namespace RagFood.Core.Filtering;

/// <summary>Prints a filter tree in canonical form.</summary>
/// <remarks>
/// <para>Canonical form: keywords upper-case (<c>AND</c>, <c>NOT IN</c>, <c>HAS NOT FIELD</c>), booleans lower-case,
/// one space around operators, <c>, </c> between IN values, strings single-quoted with <c>\</c> and <c>'</c>
/// escaped by a backslash, numbers in the shortest form that round-trips (invariant culture), and parentheses
/// only around an OR inside an AND. Nested connectives of the same kind are flattened and a connective with one
/// operand prints as that operand, so <c>Parse(Print(t))</c> equals <c>t</c> for every tree the parser produces.</para>
/// <para>Strict printing rejects trees that have no text form (no operands, an empty IN list, a field name the
/// grammar cannot read, a non-finite number) with an <see cref="ArgumentException"/>.</para>
/// </remarks>
internal static class FilterPrinter
{
    public static string Print(FilterNode root) => Print(root, strict: true);

    public static string Print(FilterNode root, bool strict)
    {
        var text = new StringBuilder();
        Append(text, root, strict, insideAnd: false);
        return text.ToString();
    }

    private static void Append(StringBuilder text, FilterNode node, bool strict, bool insideAnd)
    {
        switch (node)
        {
            case AndNode and:
                AppendConnective(text, Flatten<AndNode>(and.Operands), " AND ", strict, childInsideAnd: true, parenthesise: false);
                break;
            case OrNode or:
                var operands = Flatten<OrNode>(or.Operands);
                AppendConnective(text, operands, " OR ", strict, childInsideAnd: false, parenthesise: insideAnd && operands.Count > 1);
                break;
            case ComparisonNode comparison:
                AppendPath(text, comparison.Path, strict);
                text.Append(' ').Append(comparison.Operator.ToSymbol()).Append(' ');
                AppendValue(text, comparison.Value, strict);
                break;
            case GlobNode glob:
                AppendPath(text, glob.Path, strict);
                text.Append(glob.Negated ? " NOT GLOB " : " GLOB ");
                AppendString(text, glob.Pattern);
                break;
            case InNode @in:
                if (@in.Values.Count == 0 && strict)
                {
                    throw new ArgumentException($"The {(@in.Negated ? "NOT IN" : "IN")} list for '{@in.Path}' is empty; the filter language has no empty list.", nameof(node));
                }

                AppendPath(text, @in.Path, strict);
                text.Append(@in.Negated ? " NOT IN (" : " IN (");
                for (var i = 0; i < @in.Values.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    AppendValue(text, @in.Values[i], strict);
                }

                text.Append(')');
                break;
            case ContainsNode contains:
                AppendPath(text, contains.Path, strict);
                text.Append(contains.Negated ? " NOT CONTAINS " : " CONTAINS ");
                AppendValue(text, contains.Value, strict);
                break;
            case HasFieldNode has:
                text.Append(has.Negated ? "HAS NOT FIELD " : "HAS FIELD ");
                AppendPath(text, has.Path, strict);
                break;
            default:
                throw new ArgumentException($"Unknown filter node type {node.GetType().Name}.", nameof(node));
        }
    }

    private static void AppendConnective(StringBuilder text, List<FilterNode> operands, string separator, bool strict, bool childInsideAnd, bool parenthesise)
    {
        if (operands.Count == 0)
        {
            if (strict)
            {
                throw new ArgumentException($"A{separator.TrimEnd()} node needs at least one operand.", nameof(operands));
            }

            text.Append("()");
            return;
        }

        if (parenthesise)
        {
            text.Append('(');
        }

        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            // A one-operand connective prints as its operand, so the operand decides whether it needs parentheses.
            Append(text, operands[i], strict, childInsideAnd);
        }

        if (parenthesise)
        {
            text.Append(')');
        }
    }

    /// <summary>Inlines operands that are themselves the same connective: AND is associative, and so is OR.</summary>
    private static List<FilterNode> Flatten<TConnective>(IReadOnlyList<FilterNode> operands)
        where TConnective : FilterNode
    {
        var flat = new List<FilterNode>(operands.Count);
        foreach (var operand in operands)
        {
            if (operand is TConnective)
            {
                var inner = operand is AndNode and ? and.Operands : ((OrNode)operand).Operands;
                flat.AddRange(Flatten<TConnective>(inner));
            }
            else
            {
                flat.Add(operand);
            }
        }

        return flat;
    }

    private static void AppendPath(StringBuilder text, FieldPath path, bool strict)
    {
        if (strict)
        {
            ValidatePath(path);
        }

        text.Append(path.ToString());
    }

    private static void ValidatePath(FieldPath path)
    {
        if (path.Segments.Count == 0 || path.Segments[0] is not PathSegment.Name)
        {
            throw new ArgumentException($"A field path must start with a name: '{path}'.", nameof(path));
        }

        for (var i = 0; i < path.Segments.Count; i++)
        {
            switch (path.Segments[i])
            {
                case PathSegment.Name name:
                    var valid = name.Value.Length > 0
                        && (i > 0 || FilterLexer.IsIdentifierStart(name.Value[0]))
                        && name.Value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
                    if (!valid)
                    {
                        throw new ArgumentException(
                            $"The field name '{name.Value}' cannot be written in a filter (names are ASCII letters, digits, '_' and '-', starting with a letter or '_').",
                            nameof(path));
                    }

                    break;
                case PathSegment.Index { Value: < 0 } index:
                    throw new ArgumentException($"Array index {index.Value} is negative.", nameof(path));
                case PathSegment.FromEnd { Value: < 1 } fromEnd:
                    throw new ArgumentException($"[#-{fromEnd.Value}] must count at least 1 from the end.", nameof(path));
            }
        }
    }

    private static void AppendValue(StringBuilder text, FilterValue value, bool strict)
    {
        switch (value)
        {
            case FilterValue.String s:
                AppendString(text, s.Value);
                break;
            case FilterValue.Number n:
                if (!double.IsFinite(n.Value) && strict)
                {
                    throw new ArgumentException($"The number {n.Value} cannot be written in a filter.", nameof(value));
                }

                // "R" is the shortest text that parses back to the same double, e.g. 0.1, 1E+21, -0.
                text.Append(n.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case FilterValue.Boolean b:
                text.Append(b.Value ? "true" : "false");
                break;
            default:
                throw new ArgumentException($"Unknown filter value type {value.GetType().Name}.", nameof(value));
        }
    }

    private static void AppendString(StringBuilder text, string value)
    {
        text.Append('\'');
        foreach (var c in value)
        {
            if (c is '\'' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('\'');
    }
}
