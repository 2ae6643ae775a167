using System.Collections;
using System.Linq.Expressions;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;
using RagFood.Core.Filtering;

namespace RagFood.VectorData.Internal;

/// <summary>Translates an MEVD LINQ filter (<c>r =&gt; r.Region == "Japan" &amp;&amp; r.Price &lt; 10</c>) into the
/// kernel's filter AST.</summary>
/// <remarks>
/// <para>Supported: <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> (pushed down: <c>!(a == b)</c> is <c>!=</c>,
/// <c>!(a &lt; b)</c> is <c>&gt;=</c>, De Morgan over <c>&amp;&amp;</c>/<c>||</c>); <c>== !=</c> on strings, numbers
/// and booleans; <c>&lt; &lt;= &gt; &gt;=</c> on numbers; a bare boolean property; <c>== null</c> / <c>!= null</c>
/// (HAS NOT FIELD / HAS FIELD); <c>list.Contains(r.Field)</c> on a constant list (IN); <c>r.Tags.Contains(v)</c> on a
/// list property (CONTAINS); <c>StartsWith</c>, <c>EndsWith</c>, <c>Contains</c> on a string property (GLOB). Any
/// sub-expression that does not read the record (a captured variable, a member of one, a method call on one) is
/// evaluated once, here.</para>
/// <para>Everything else is refused with a <see cref="NotSupportedException"/> naming the construct: other method
/// calls, arithmetic on a field, comparing two fields, conditionals, the key, the text or the vector in a filter.</para>
/// </remarks>
internal sealed class LinqFilterTranslator : FilterTranslatorBase
{
    private readonly RecordMapper _mapper;

    public LinqFilterTranslator(RecordMapper mapper) => _mapper = mapper;

    /// <summary>The filter, or <c>null</c> for <c>r =&gt; true</c> (every record).</summary>
    public MetadataFilter? Translate(LambdaExpression filter, CollectionModel model)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var body = PreprocessFilter(filter, model, new FilterPreprocessingOptions());
        body = Evaluate(body);
        if (body is ConstantExpression { Value: bool constant })
        {
            return constant ? null : throw Refuse("a filter that is always false", body);
        }

        var root = TranslateNode(body);
        try
        {
            return MetadataFilter.FromTree(root);
        }
        catch (ArgumentException e)
        {
            throw new NotSupportedException($"The filter {filter} has no form in RagFood's filter language: {e.Message}", e);
        }
    }

    private FilterNode TranslateNode(Expression node) => node switch
    {
        // A captured boolean beside a condition (r => r.A == 1 && flag) folds away.
        BinaryExpression { NodeType: ExpressionType.AndAlso, Left: ConstantExpression { Value: true } } and => TranslateNode(and.Right),
        BinaryExpression { NodeType: ExpressionType.AndAlso, Right: ConstantExpression { Value: true } } and => TranslateNode(and.Left),
        BinaryExpression { NodeType: ExpressionType.OrElse, Left: ConstantExpression { Value: false } } or => TranslateNode(or.Right),
        BinaryExpression { NodeType: ExpressionType.OrElse, Right: ConstantExpression { Value: false } } or => TranslateNode(or.Left),
        BinaryExpression { NodeType: ExpressionType.AndAlso } and => new AndNode([TranslateNode(and.Left), TranslateNode(and.Right)]),
        BinaryExpression { NodeType: ExpressionType.OrElse } or => new OrNode([TranslateNode(or.Left), TranslateNode(or.Right)]),
        BinaryExpression { NodeType: ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
            or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } comparison => TranslateComparison(comparison),
        UnaryExpression { NodeType: ExpressionType.Not } not when not.Type == typeof(bool) => Negate(TranslateNode(not.Operand), not),
        UnaryExpression { NodeType: ExpressionType.Convert } convert when Nullable.GetUnderlyingType(convert.Type) == convert.Operand.Type => TranslateNode(convert.Operand),
        MethodCallExpression call => TranslateCall(call),
        _ when node.Type == typeof(bool) && TryBindField(node, out var field) => new ComparisonNode(field, ComparisonOperator.Equal, new FilterValue.Boolean(true)),
        _ => throw Refuse(Construct(node), node),
    };

    private FilterNode TranslateComparison(BinaryExpression comparison)
    {
        var op = comparison.NodeType;
        FieldPath field;
        object? value;
        if (TryBindField(comparison.Left, out field) && comparison.Right is ConstantExpression right)
        {
            value = right.Value;
        }
        else if (TryBindField(comparison.Right, out field) && comparison.Left is ConstantExpression left)
        {
            value = left.Value;
            op = Mirror(op);
        }
        else if (TryBindField(comparison.Left, out _) && TryBindField(comparison.Right, out _))
        {
            throw Refuse("comparing two fields", comparison);
        }
        else
        {
            var side = Unwrap(comparison.Left) is ConstantExpression ? Unwrap(comparison.Right) : Unwrap(comparison.Left);
            throw Refuse(Construct(side) + " in a comparison (only a field against a value)", comparison);
        }

        if (value is null)
        {
            return op switch
            {
                ExpressionType.Equal => new HasFieldNode(field, Negated: true),
                ExpressionType.NotEqual => new HasFieldNode(field, Negated: false),
                _ => throw Refuse($"an ordering comparison ({op}) with null", comparison),
            };
        }

        var literal = ToValue(value, comparison);
        var comparisonOperator = op switch
        {
            ExpressionType.Equal => ComparisonOperator.Equal,
            ExpressionType.NotEqual => ComparisonOperator.NotEqual,
            ExpressionType.LessThan => ComparisonOperator.LessThan,
            ExpressionType.LessThanOrEqual => ComparisonOperator.LessThanOrEqual,
            ExpressionType.GreaterThan => ComparisonOperator.GreaterThan,
            _ => ComparisonOperator.GreaterThanOrEqual,
        };
        if (comparisonOperator.IsOrdering() && literal is not FilterValue.Number)
        {
            throw Refuse($"an ordering comparison ({comparisonOperator.ToSymbol()}) on a {value.GetType().Name}; only numbers are ordered", comparison);
        }

        return new ComparisonNode(field, comparisonOperator, literal);
    }

    private FilterNode TranslateCall(MethodCallExpression call)
    {
        if (call.Method.DeclaringType == typeof(string) && call.Object is { } target && call.Arguments is [var argument]
            && call.Method.Name is nameof(string.StartsWith) or nameof(string.EndsWith) or nameof(string.Contains)
            && call.Method.GetParameters()[0].ParameterType == typeof(string))
        {
            if (!TryBindField(target, out var field) || argument is not ConstantExpression { Value: string text })
            {
                throw Refuse($"string.{call.Method.Name} other than on a string field with a constant argument", call);
            }

            var literal = GlobLiteral(text);
            var pattern = call.Method.Name switch
            {
                nameof(string.StartsWith) => literal + "*",
                nameof(string.EndsWith) => "*" + literal,
                _ => "*" + literal + "*",
            };
            return new GlobNode(field, pattern, Negated: false);
        }

        if (TryMatchContains(call, out var source, out var item))
        {
            if (TryBindField(source, out var listField))
            {
                return item is ConstantExpression { Value: { } element }
                    ? new ContainsNode(listField, ToValue(element, call), Negated: false)
                    : throw Refuse("Contains on a list field with an argument that is not a value", call);
            }

            if (source is ConstantExpression { Value: IEnumerable values and not string } && TryBindField(item, out var field))
            {
                var literals = values.Cast<object?>()
                    .Select(v => v is null ? throw Refuse("a null inside a Contains list", call) : ToValue(v, call))
                    .ToList();
                return literals.Count > 0 ? new InNode(field, literals, Negated: false) : throw Refuse("Contains on an empty list", call);
            }

            throw Refuse("Contains other than list.Contains(field) on a constant list or field.Contains(value) on a list field", call);
        }

        throw Refuse($"the method call {call.Method.DeclaringType?.Name}.{call.Method.Name}", call);
    }

    /// <summary>The logical negation of a translated node; the AST has no NOT, so it is pushed to the leaves.</summary>
    private static FilterNode Negate(FilterNode node, Expression source) => node switch
    {
        AndNode and => new OrNode([.. and.Operands.Select(o => Negate(o, source))]),
        OrNode or => new AndNode([.. or.Operands.Select(o => Negate(o, source))]),
        ComparisonNode c when c.Value is FilterValue.Boolean b && c.Operator == ComparisonOperator.Equal => c with { Value = new FilterValue.Boolean(!b.Value) },
        ComparisonNode c => c with { Operator = Complement(c.Operator) },
        InNode i => i with { Negated = !i.Negated },
        ContainsNode c => c with { Negated = !c.Negated },
        GlobNode g => new GlobNode(g.Path, g.Pattern, !g.Negated),
        HasFieldNode h => h with { Negated = !h.Negated },
        _ => throw Refuse($"negating {node.OperatorText}", source),
    };

    private static ComparisonOperator Complement(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => ComparisonOperator.NotEqual,
        ComparisonOperator.NotEqual => ComparisonOperator.Equal,
        ComparisonOperator.LessThan => ComparisonOperator.GreaterThanOrEqual,
        ComparisonOperator.LessThanOrEqual => ComparisonOperator.GreaterThan,
        ComparisonOperator.GreaterThan => ComparisonOperator.LessThanOrEqual,
        _ => ComparisonOperator.LessThan,
    };

    private static ExpressionType Mirror(ExpressionType op) => op switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        _ => op,
    };

    /// <summary>Binds a record member (through casts) to a metadata field; the key, text and vector are refused.</summary>
    private bool TryBindField(Expression expression, out FieldPath field)
    {
        field = null!;
        if (!TryBindProperty(Unwrap(expression), out var property))
        {
            return false;
        }

        if (property is KeyPropertyModel || property is VectorPropertyModel || ReferenceEquals(property, _mapper.Text))
        {
            var role = property is KeyPropertyModel ? "the key" : property is VectorPropertyModel ? "a vector property" : "the text property";
            throw Refuse($"{role} ('{property.ModelName}'), which is not a metadata field", expression);
        }

        field = FieldPath.Of(property.StorageName);
        return true;
    }

    private static Expression Unwrap(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.TypeAs } unary)
        {
            expression = unary.Operand;
        }

        return expression;
    }

    private static FilterValue ToValue(object value, Expression source) => value switch
    {
        string s => new FilterValue.String(s),
        bool b => new FilterValue.Boolean(b),
        char c => new FilterValue.String(c.ToString()),
        int or long or short or sbyte or byte or uint or ulong or ushort or float or double or decimal
            => double.IsFinite(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))
                ? new FilterValue.Number(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))
                : throw Refuse("a number that is not finite", source),
        _ => throw Refuse($"a value of type '{value.GetType().Name}' (only strings, numbers and booleans)", source),
    };

    /// <summary>Quotes glob metacharacters so that <paramref name="text"/> matches itself.</summary>
    private static string GlobLiteral(string text)
    {
        var quoted = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c is '*' or '?' or '[' ? quoted.Append('[').Append(c).Append(']') : quoted.Append(c);
        }

        return quoted.ToString();
    }

    /// <summary>How a refusal names an expression the translator cannot read.</summary>
    private static string Construct(Expression node) => node switch
    {
        MethodCallExpression call => $"the method call {call.Method.DeclaringType?.Name}.{call.Method.Name}",
        _ when IsArithmetic(node.NodeType) => $"arithmetic on a field ({node.NodeType})",
        _ => $"the expression kind '{node.NodeType}'",
    };

    private static bool IsArithmetic(ExpressionType type) => type is ExpressionType.Add or ExpressionType.AddChecked
        or ExpressionType.Subtract or ExpressionType.SubtractChecked or ExpressionType.Multiply or ExpressionType.MultiplyChecked
        or ExpressionType.Divide or ExpressionType.Modulo or ExpressionType.Negate or ExpressionType.Power;

    /// <summary>Folds every sub-expression that does not read the record into a constant.</summary>
    private Expression Evaluate(Expression body) => new Evaluator(RecordParameter).Visit(body) ?? body;

    private static NotSupportedException Refuse(string construct, Expression source) =>
        new($"RagFood's MEVD filter does not support {construct}: '{source}'. Supported: ==, != (strings, numbers, booleans), "
            + "<, <=, >, >= (numbers), &&, ||, !, == null / != null, list.Contains(field), field.Contains(value) on a list, "
            + "string StartsWith/EndsWith/Contains with a constant.");

    private sealed class Evaluator(ParameterExpression record) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null or ConstantExpression or LambdaExpression || node.NodeType == ExpressionType.Parameter || node is QueryParameterExpression)
            {
                return node is QueryParameterExpression parameter ? Expression.Constant(parameter.Value, parameter.Type) : node;
            }

            // A span (C# 14 binds array.Contains to MemoryExtensions) cannot be boxed; its operand is folded instead.
            if (!node.Type.IsByRefLike && node.Type != typeof(void) && !ReadsRecord(node))
            {
                // Interpreted: each of these runs once, so compiling to IL would cost more than it saves.
                var value = Expression.Lambda<Func<object?>>(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true)();
                return Expression.Constant(value, node.Type);
            }

            return base.Visit(node);
        }

        private bool ReadsRecord(Expression node)
        {
            var finder = new RecordFinder(record);
            finder.Visit(node);
            return finder.Found;
        }
    }

    private sealed class RecordFinder(ParameterExpression record) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        public override Expression? Visit(Expression? node)
        {
            if (Found || node is null)
            {
                return node;
            }

            if (node == record)
            {
                Found = true;
                return node;
            }

            // QueryParameterExpression and other provider nodes have no children that read the record.
            return node.CanReduce || node.NodeType != ExpressionType.Extension ? base.Visit(node) : node;
        }
    }
}
