using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace RagFood.Core.Filtering;

/// <summary>Evaluates a filter tree against a metadata object.</summary>
/// <remarks>
/// <para>Stateless, thread-safe and allocation-free: string equality uses <see cref="JsonElement.ValueEquals(string)"/>;
/// GLOB patterns are compiled once per node (at parse time) and match the field's UTF-8 bytes decoded into a
/// stack or pooled buffer (only a string holding JSON escapes is read with <see cref="JsonElement.GetString"/>).</para>
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
                // Index loops, not foreach: enumerating an IReadOnlyList<T> boxes its enumerator on every call.
                for (var i = 0; i < and.Operands.Count; i++)
                {
                    if (!Evaluate(and.Operands[i], metadata))
                    {
                        return false;
                    }
                }

                return true;
            case OrNode or:
                for (var i = 0; i < or.Operands.Count; i++)
                {
                    if (Evaluate(or.Operands[i], metadata))
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
                    && GlobMatches(glob.Matcher, field) != glob.Negated;
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

    private static bool GlobMatches(GlobPattern matcher, JsonElement field)
    {
        // The raw value is the quoted JSON text; without backslashes its content is exactly the string's UTF-8.
        var raw = JsonMarshal.GetRawUtf8Value(field);
        var content = raw[1..^1];
        if (content.Contains((byte)'\\'))
        {
            return matcher.IsMatch(field.GetString());
        }

        // UTF-8 never needs more UTF-16 chars than it has bytes.
        const int StackLimit = 512;
        char[]? rented = null;
        var buffer = content.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : (rented = ArrayPool<char>.Shared.Rent(content.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(content, buffer);
            return matcher.IsMatch(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Follows a path; false when any step is missing or has the wrong shape.</summary>
    internal static bool TryResolve(JsonElement metadata, FieldPath path, out JsonElement value)
    {
        value = metadata;
        var segments = path.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            switch (segments[i])
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
        for (var i = 0; i < values.Count; i++)
        {
            switch (Equality(field, values[i]))
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
