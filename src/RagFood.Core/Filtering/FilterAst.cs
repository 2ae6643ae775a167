using System.Globalization;
using System.Text;

namespace RagFood.Core.Filtering;

/// <summary>A node of a parsed metadata filter (Upstash syntax; see <see cref="MetadataFilter"/>).</summary>
/// <remarks>
/// <para>Nodes are immutable records with structural equality: two trees are equal when they have the same
/// shape, the same operators and equal literals (operand lists are compared element by element).</para>
/// <para><see cref="ToString"/> returns the canonical filter text (see <see cref="MetadataFilter.Text"/>); a tree
/// that has no text form (an invalid field name, a non-finite number) still prints, in a best-effort form that
/// may not parse.</para>
/// <para>To translate a filter for another store, walk the tree with a <c>switch</c> over the concrete node types;
/// <see cref="OperatorText"/> names the operator of a node for error messages.</para>
/// </remarks>
public abstract record FilterNode
{
    /// <summary>The operator as written in the filter language: <c>AND</c>, <c>OR</c>, <c>=</c>, <c>NOT GLOB</c>, <c>HAS NOT FIELD</c>, ...</summary>
    public string OperatorText => this switch
    {
        AndNode => "AND",
        OrNode => "OR",
        ComparisonNode comparison => comparison.Operator.ToSymbol(),
        GlobNode glob => glob.Negated ? "NOT GLOB" : "GLOB",
        InNode @in => @in.Negated ? "NOT IN" : "IN",
        ContainsNode contains => contains.Negated ? "NOT CONTAINS" : "CONTAINS",
        HasFieldNode has => has.Negated ? "HAS NOT FIELD" : "HAS FIELD",
        _ => GetType().Name,
    };

    /// <summary>The canonical filter text of this subtree.</summary>
    public sealed override string ToString() => FilterPrinter.Print(this, strict: false);
}

/// <summary>All operands must hold.</summary>
/// <remarks>The parser flattens nested conjunctions, so an operand of a parsed <see cref="AndNode"/> is never an <see cref="AndNode"/>.</remarks>
public sealed record AndNode(IReadOnlyList<FilterNode> Operands) : FilterNode
{
    /// <inheritdoc/>
    public bool Equals(AndNode? other) => other is not null && Operands.SequenceEqual(other.Operands);

    /// <inheritdoc/>
    public override int GetHashCode() => AstEquality.ListHash(typeof(AndNode), Operands);
}

/// <summary>At least one operand must hold.</summary>
/// <remarks>The parser flattens nested disjunctions, so an operand of a parsed <see cref="OrNode"/> is never an <see cref="OrNode"/>.</remarks>
public sealed record OrNode(IReadOnlyList<FilterNode> Operands) : FilterNode
{
    /// <inheritdoc/>
    public bool Equals(OrNode? other) => other is not null && Operands.SequenceEqual(other.Operands);

    /// <inheritdoc/>
    public override int GetHashCode() => AstEquality.ListHash(typeof(OrNode), Operands);
}

/// <summary>The comparison operators of the filter language.</summary>
public enum ComparisonOperator
{
    /// <summary><c>=</c>: strings, numbers, booleans.</summary>
    Equal,

    /// <summary><c>!=</c>: strings, numbers, booleans; false on a missing field or a type mismatch.</summary>
    NotEqual,

    /// <summary><c>&lt;</c>: numbers only.</summary>
    LessThan,

    /// <summary><c>&lt;=</c>: numbers only.</summary>
    LessThanOrEqual,

    /// <summary><c>&gt;</c>: numbers only.</summary>
    GreaterThan,

    /// <summary><c>&gt;=</c>: numbers only.</summary>
    GreaterThanOrEqual,
}

/// <summary>Helpers for <see cref="ComparisonOperator"/>.</summary>
public static class ComparisonOperatorExtensions
{
    /// <summary>The operator as written in a filter (<c>=</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>).</summary>
    public static string ToSymbol(this ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown comparison operator."),
    };

    /// <summary>True for <c>&lt; &lt;= &gt; &gt;=</c>, which compare numbers only.</summary>
    public static bool IsOrdering(this ComparisonOperator op) => op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual);
}

/// <summary><c>path op literal</c> with op one of <c>= != &lt; &lt;= &gt; &gt;=</c>.</summary>
public sealed record ComparisonNode(FieldPath Path, ComparisonOperator Operator, FilterValue Value) : FilterNode;

/// <summary><c>path [NOT] GLOB 'pattern'</c>: whole-string, case-sensitive UNIX glob.</summary>
/// <remarks>
/// Pattern syntax: <c>*</c> (any run), <c>?</c> (one character), <c>[abc]</c>, <c>[a-z]</c>, <c>[^...]</c> or
/// <c>[!...]</c> (negated class; a <c>]</c> right after <c>[</c> or <c>[^</c> is a member). There is no escape
/// character: write <c>[*]</c> to match a literal star. The compiled matcher is cached on the node, so evaluating
/// the same node many times compiles the pattern once.
/// </remarks>
public sealed record GlobNode(FieldPath Path, string Pattern, bool Negated) : FilterNode
{
    // Cache of the compiled pattern. Compared by reference with Pattern so that a copy made with `with { Pattern = ... }`
    // (which copies this field too) recompiles instead of using a stale matcher. Races only compile twice.
    private GlobPattern? _compiled;

    /// <summary>The compiled pattern.</summary>
    /// <exception cref="ArgumentException">The pattern is malformed (e.g. an unterminated <c>[</c>).</exception>
    internal GlobPattern Matcher
    {
        get
        {
            var compiled = _compiled;
            if (compiled is null || !ReferenceEquals(compiled.Source, Pattern))
            {
                compiled = GlobPattern.TryCompile(Pattern, out var error)
                    ?? throw new ArgumentException($"Invalid GLOB pattern '{Pattern}': {error}.", nameof(Pattern));
                _compiled = compiled;
            }

            return compiled;
        }
    }

    /// <inheritdoc/>
    public bool Equals(GlobNode? other)
        => other is not null && Path.Equals(other.Path) && string.Equals(Pattern, other.Pattern, StringComparison.Ordinal) && Negated == other.Negated;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Path, StringComparer.Ordinal.GetHashCode(Pattern), Negated);
}

/// <summary><c>path [NOT] IN (v1, v2, ...)</c>.</summary>
/// <remarks><c>IN</c> holds when the field equals one of the values. <c>NOT IN</c> holds when the field is comparable
/// with at least one value (same type) and equals none; a missing field or a type mismatch makes both false.</remarks>
public sealed record InNode(FieldPath Path, IReadOnlyList<FilterValue> Values, bool Negated) : FilterNode
{
    /// <inheritdoc/>
    public bool Equals(InNode? other)
        => other is not null && Path.Equals(other.Path) && Negated == other.Negated && Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Path, Negated, AstEquality.ListHash(typeof(InNode), Values));
}

/// <summary><c>path [NOT] CONTAINS literal</c>: the array at path has (lacks) an element equal to the literal.</summary>
/// <remarks>Both forms are false when the field is missing or is not an array.</remarks>
public sealed record ContainsNode(FieldPath Path, FilterValue Value, bool Negated) : FilterNode;

/// <summary><c>HAS FIELD path</c> / <c>HAS NOT FIELD path</c>.</summary>
/// <remarks>A key present with a JSON <c>null</c> value exists. <c>HAS NOT FIELD</c> is the only operator that matches absence.</remarks>
public sealed record HasFieldNode(FieldPath Path, bool Negated) : FilterNode;

/// <summary>A path into the metadata object: <c>a.b[0].c[#-1]</c>.</summary>
/// <remarks>
/// A path starts with a name. Names are ASCII: the first name starts with a letter or <c>_</c>; names consist of
/// letters, digits, <c>_</c> and <c>-</c>. <see cref="ToString"/> gives the filter text of the path.
/// </remarks>
public sealed record FieldPath(IReadOnlyList<PathSegment> Segments)
{
    /// <summary>True when the path is a single name (no nesting, no array index).</summary>
    public bool IsSimpleName => Segments is [PathSegment.Name];

    /// <summary>A path of plain names, e.g. <c>FieldPath.Of("geography", "continent")</c>.</summary>
    public static FieldPath Of(params string[] names) => new(names.Select(n => (PathSegment)new PathSegment.Name(n)).ToArray());

    /// <summary>Parses the text of a path (<c>a.b[0][#-1]</c>).</summary>
    /// <exception cref="FilterSyntaxException">The text is not a path.</exception>
    public static FieldPath Parse(string text) => FilterParser.ParsePath(text);

    /// <inheritdoc/>
    public bool Equals(FieldPath? other) => other is not null && Segments.SequenceEqual(other.Segments);

    /// <inheritdoc/>
    public override int GetHashCode() => AstEquality.ListHash(typeof(FieldPath), Segments);

    /// <summary>The path as written in a filter.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
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
    /// <summary>A string literal; compared ordinally (case-sensitive).</summary>
    public sealed record String(string Value) : FilterValue;

    /// <summary>A number; integers and floats compare numerically. <c>1</c> and <c>0</c> also equal <c>true</c> and <c>false</c> in a boolean field.</summary>
    public sealed record Number(double Value) : FilterValue;

    /// <summary>A boolean literal (<c>true</c> / <c>false</c>, any case).</summary>
    public sealed record Boolean(bool Value) : FilterValue;
}

/// <summary>Hashing helpers for the list-valued AST records.</summary>
internal static class AstEquality
{
    public static int ListHash<T>(Type owner, IReadOnlyList<T> items)
    {
        var hash = new HashCode();
        hash.Add(owner);
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
