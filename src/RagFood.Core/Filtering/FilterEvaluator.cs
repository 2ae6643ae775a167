using System.Text.Json;

namespace RagFood.Core.Filtering;

/// <summary>Evaluates a filter tree against a metadata object.</summary>
/// <remarks>
/// <para>Stateless and thread-safe; allocation-free apart from reading a string for GLOB. String equality uses
/// <see cref="JsonElement.ValueEquals(string)"/>, GLOB patterns are compiled once per node (at parse time).</para>
/// <para>Semantics: a missing field, a JSON null, or a value of the wrong type makes every value operator false,
/// the negated ones included (<c>!=</c>, <c>NOT IN</c>, <c>NOT GLOB</c>, <c>NOT CONTAINS</c>); only
/// <c>HAS NOT FIELD</c> matches absence. Numbers compare numerically; the literals <c>1</c> and <c>0</c> equal
/// <c>true</c> and <c>false</c> in a boolean field. Strings compare ordinally.</para>
/// </remarks>
internal static class FilterEvaluator
{
    public static bool Evaluate(FilterNode root, JsonElement? metadata)
        => Evaluate(root, metadata ?? default);

    private static bool Evaluate(FilterNode node, JsonElement metadata)
    {
        switch (node)
        {
            case AndNode and:
                foreach (var operand in and.Operands)
                {
                    if (!Evaluate(operand, metadata))
                    {
                        return false;
                    }
                }

                return true;
            case OrNode or:
                foreach (var operand in or.Operands)
                {
                    if (Evaluate(operand, metadata))
                    {
                        return true;
                    }
                }

                return false;
            case ComparisonNode comparison:
                return TryResolve(metadata, comparison.Path, out var field) && Compare(field, comparison.Operator, comparison.Value);
            case GlobNode glob:
                return TryResolve(metadata, glob.Path, out field)
                    && field.ValueKind == JsonValueKind.String
                    && glob.Matcher.IsMatch(field.GetString()) != glob.Negated;
            case InNode @in:
                return TryResolve(metadata, @in.Path, out field) && In(field, @in.Values, @in.Negated);
            case ContainsNode contains:
                return TryResolve(metadata, contains.Path, out field)
                    && field.ValueKind == JsonValueKind.Array
                    && ArrayContains(field, contains.Value) != contains.Negated;
            case HasFieldNode has:
                return TryResolve(metadata, has.Path, out _) != has.Negated;
            default:
                throw new ArgumentException($"Unknown filter node type {node.GetType().Name}.", nameof(node));
        }
    }

    /// <summary>Follows a path; false when any step is missing or has the wrong shape.</summary>
    internal static bool TryResolve(JsonElement metadata, FieldPath path, out JsonElement value)
    {
        value = metadata;
        foreach (var segment in path.Segments)
        {
            switch (segment)
            {
                case PathSegment.Name name:
                    if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name.Value, out value))
                    {
                        return false;
                    }

                    break;
                case PathSegment.Index index:
                    if (value.ValueKind != JsonValueKind.Array || index.Value < 0 || index.Value >= value.GetArrayLength())
                    {
                        return false;
                    }

                    value = value[index.Value];
                    break;
                case PathSegment.FromEnd fromEnd:
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        return false;
                    }

                    var position = value.GetArrayLength() - fromEnd.Value;
                    if (fromEnd.Value < 1 || position < 0)
                    {
                        return false;
                    }

                    value = value[position];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool Compare(JsonElement field, ComparisonOperator op, FilterValue literal)
    {
        if (op.IsOrdering())
        {
            if (literal is not FilterValue.Number number || field.ValueKind != JsonValueKind.Number || !field.TryGetDouble(out var actual))
            {
                return false;
            }

            return op switch
            {
                ComparisonOperator.LessThan => actual < number.Value,
                ComparisonOperator.LessThanOrEqual => actual <= number.Value,
                ComparisonOperator.GreaterThan => actual > number.Value,
                _ => actual >= number.Value,
            };
        }

        return Equality(field, literal) switch
        {
            Match.Equal => op == ComparisonOperator.Equal,
            Match.Different => op == ComparisonOperator.NotEqual,
            _ => false,
        };
    }

    private static bool In(JsonElement field, IReadOnlyList<FilterValue> values, bool negated)
    {
        var comparable = false;
        foreach (var value in values)
        {
            switch (Equality(field, value))
            {
                case Match.Equal:
                    return !negated;
                case Match.Different:
                    comparable = true;
                    break;
            }
        }

        // NOT IN holds only for a value of a type the list speaks about: a mismatch is false, as for !=.
        return negated && comparable;
    }

    private static bool ArrayContains(JsonElement array, FilterValue literal)
    {
        foreach (var element in array.EnumerateArray())
        {
            if (Equality(element, literal) == Match.Equal)
            {
                return true;
            }
        }

        return false;
    }

    private enum Match
    {
        Incomparable,
        Equal,
        Different,
    }

    private static Match Equality(JsonElement field, FilterValue literal)
    {
        switch (literal)
        {
            case FilterValue.String s when field.ValueKind == JsonValueKind.String:
                return field.ValueEquals(s.Value) ? Match.Equal : Match.Different;
            case FilterValue.Number n when field.ValueKind == JsonValueKind.Number:
                return !field.TryGetDouble(out var actual) ? Match.Incomparable
                    : actual == n.Value ? Match.Equal : Match.Different;
            case FilterValue.Number n when field.ValueKind is JsonValueKind.True or JsonValueKind.False && n.Value is 0 or 1:
                return (field.ValueKind == JsonValueKind.True) == (n.Value == 1) ? Match.Equal : Match.Different;
            case FilterValue.Boolean b when field.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return (field.ValueKind == JsonValueKind.True) == b.Value ? Match.Equal : Match.Different;
            default:
                return Match.Incomparable;
        }
    }
}
