using System.Globalization;

namespace RagFood.Core.Filtering;

/// <summary>A node of a parsed metadata filter (Upstash syntax; see <see cref="MetadataFilter"/>).</summary>
public abstract record FilterNode;

/// <summary>All operands must hold.</summary>
public sealed record AndNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

/// <summary>At least one operand must hold.</summary>
public sealed record OrNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary><c>path op literal</c> with op one of <c>= != &lt; &lt;= &gt; &gt;=</c>.</summary>
public sealed record ComparisonNode(FieldPath Path, ComparisonOperator Operator, FilterValue Value) : FilterNode;

/// <summary><c>path [NOT] GLOB 'pattern'</c>: whole-string, case-sensitive UNIX glob.</summary>
public sealed record GlobNode(FieldPath Path, string Pattern, bool Negated) : FilterNode;

/// <summary><c>path [NOT] IN (v1, v2, ...)</c>.</summary>
public sealed record InNode(FieldPath Path, IReadOnlyList<FilterValue> Values, bool Negated) : FilterNode;

/// <summary><c>path [NOT] CONTAINS literal</c>: the array at path has (lacks) an element equal to the literal.</summary>
public sealed record ContainsNode(FieldPath Path, FilterValue Value, bool Negated) : FilterNode;

/// <summary><c>HAS FIELD path</c> / <c>HAS NOT FIELD path</c>.</summary>
public sealed record HasFieldNode(FieldPath Path, bool Negated) : FilterNode;

/// <summary>A path into the metadata object: <c>a.b[0].c[#-1]</c>.</summary>
public sealed record FieldPath(IReadOnlyList<PathSegment> Segments)
{
    /// <summary>True when the path is a single name (no nesting, no array index).</summary>
    public bool IsSimpleName => Segments is [PathSegment.Name];

    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in Segments)
        {
            switch (segment)
            {
                case PathSegment.Name name:
                    if (text.Length > 0)
                    {
                        text.Append('.');
                    }

                    text.Append(name.Value);
                    break;
                case PathSegment.Index index:
                    text.Append('[').Append(index.Value.ToString(CultureInfo.InvariantCulture)).Append(']');
                    break;
                case PathSegment.FromEnd fromEnd:
                    text.Append("[#-").Append(fromEnd.Value.ToString(CultureInfo.InvariantCulture)).Append(']');
                    break;
            }
        }

        return text.ToString();
    }
}

/// <summary>One step of a <see cref="FieldPath"/>.</summary>
public abstract record PathSegment
{
    /// <summary>An object key.</summary>
    public sealed record Name(string Value) : PathSegment;

    /// <summary>A 0-based array index.</summary>
    public sealed record Index(int Value) : PathSegment;

    /// <summary><c>[#-k]</c>: the k-th element from the end (k ≥ 1).</summary>
    public sealed record FromEnd(int Value) : PathSegment;
}

/// <summary>A literal in a filter.</summary>
public abstract record FilterValue
{
    public sealed record String(string Value) : FilterValue;

    /// <summary>A number; integers and floats compare numerically.</summary>
    public sealed record Number(double Value) : FilterValue;

    public sealed record Boolean(bool Value) : FilterValue;
}
