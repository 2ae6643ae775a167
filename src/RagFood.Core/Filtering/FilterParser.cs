using System.Globalization;

namespace RagFood.Core.Filtering;

/// <summary>Recursive-descent parser for the metadata filter grammar (upstash-vector-api.md §4).</summary>
/// <remarks>
/// <para>Precedence: parentheses, then AND, then OR. Chains of the same connective are flattened, also across
/// parentheses (<c>(a AND b) AND c</c> is one <see cref="AndNode"/> of three), so equivalent groupings yield equal trees.</para>
/// <para>Errors are <see cref="FilterSyntaxException"/>s naming the 0-based position, the offending token and what was
/// expected. Checks the grammar can make early are made here: ordering operators take numbers, GLOB takes a quoted
/// pattern that compiles, IN takes a non-empty list.</para>
/// </remarks>
internal sealed class FilterParser
{
    /// <summary>Deep enough for any filter a person writes; shallow enough that recursion cannot exhaust the stack.</summary>
    internal const int MaxDepth = 64;

    private readonly FilterLexer _lexer;

    private FilterParser(string text) => _lexer = new FilterLexer(text);

    public static FilterNode Parse(string text)
    {
        var parser = new FilterParser(text);
        if (parser._lexer.Peek().Kind == TokenKind.End)
        {
            throw parser.Error(parser._lexer.Peek(), "expected a condition");
        }

        var root = parser.ParseOr(depth: 0);
        var next = parser._lexer.Peek();
        if (next.Kind != TokenKind.End)
        {
            throw parser.Error(next, next.Kind == TokenKind.RightParen
                ? "this ')' has no matching '('"
                : "expected AND, OR or the end of the filter");
        }

        return root;
    }

    /// <summary>Parses the text of a path alone (no surrounding whitespace allowed).</summary>
    public static FieldPath ParsePath(string text)
    {
        var parser = new FilterParser(text);
        var token = parser._lexer.Next();
        if (token.Kind != TokenKind.Identifier || token.Position != 0)
        {
            throw parser.Error(token, "expected a field path");
        }

        var path = parser.ParsePathToken(token);
        var rest = parser._lexer.Peek();
        if (rest.Kind != TokenKind.End || token.Text.Length != text.Length)
        {
            throw parser.Error(rest, "expected the end of the field path");
        }

        return path;
    }

    internal static FilterSyntaxException Error(string text, Token token, string expectation)
    {
        var where = token.Kind == TokenKind.End
            ? $"at position {token.Position} (end of input)"
            : $"at position {token.Position} near '{Shorten(token.Text)}'";
        return new FilterSyntaxException($"Invalid filter {where}: {expectation}.", token.Position, token.Text);
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : string.Concat(text.AsSpan(0, 21), "...");

    private FilterSyntaxException Error(Token token, string expectation) => Error(_lexer.Text, token, expectation);

    private FilterNode ParseOr(int depth)
    {
        var first = ParseAnd(depth);
        if (!_lexer.Peek().IsKeyword("OR"))
        {
            return first;
        }

        var operands = new List<FilterNode>();
        AddFlattened<OrNode>(operands, first);
        while (_lexer.Peek().IsKeyword("OR"))
        {
            _lexer.Next();
            AddFlattened<OrNode>(operands, ParseAnd(depth));
        }

        return new OrNode(operands);
    }

    private FilterNode ParseAnd(int depth)
    {
        var first = ParseTerm(depth);
        if (!_lexer.Peek().IsKeyword("AND"))
        {
            return first;
        }

        var operands = new List<FilterNode>();
        AddFlattened<AndNode>(operands, first);
        while (_lexer.Peek().IsKeyword("AND"))
        {
            _lexer.Next();
            AddFlattened<AndNode>(operands, ParseTerm(depth));
        }

        return new AndNode(operands);
    }

    private static void AddFlattened<TConnective>(List<FilterNode> operands, FilterNode node)
        where TConnective : FilterNode
    {
        if (node is TConnective)
        {
            operands.AddRange(node is AndNode and ? and.Operands : ((OrNode)node).Operands);
        }
        else
        {
            operands.Add(node);
        }
    }

    private FilterNode ParseTerm(int depth)
    {
        var token = _lexer.Peek();
        switch (token.Kind)
        {
            case TokenKind.LeftParen:
                if (depth >= MaxDepth)
                {
                    throw Error(token, $"parentheses are nested more than {MaxDepth} deep");
                }

                _lexer.Next();
                if (_lexer.Peek().Kind == TokenKind.RightParen)
                {
                    throw Error(_lexer.Peek(), "empty parentheses: expected a condition after '('");
                }

                var inner = ParseOr(depth + 1);
                var close = _lexer.Peek();
                if (close.Kind != TokenKind.RightParen)
                {
                    throw Error(close, $"expected ')' to close the '(' at position {token.Position}");
                }

                _lexer.Next();
                return inner;
            case TokenKind.Identifier:
                return IsHasFieldStart() ? ParseHasField() : ParsePredicate();
            default:
                throw Error(token, "expected a condition (a field name, HAS FIELD or '(')");
        }
    }

    /// <summary>Decides whether an identifier HAS starts HAS [NOT] FIELD or is a field named "has".</summary>
    private bool IsHasFieldStart()
    {
        if (!_lexer.Peek().IsKeyword("HAS"))
        {
            return false;
        }

        var second = _lexer.Peek(1);
        if (second.IsKeyword("FIELD"))
        {
            return true;
        }

        if (second.IsKeyword("NOT"))
        {
            var third = _lexer.Peek(2);
            if (third.IsKeyword("FIELD"))
            {
                return true;
            }

            if (third.IsKeyword("GLOB") || third.IsKeyword("IN") || third.IsKeyword("CONTAINS"))
            {
                return false; // has NOT GLOB '...': a field called "has"
            }

            throw Error(third, "expected FIELD after HAS NOT");
        }

        if (second.Kind == TokenKind.Identifier && !(second.IsKeyword("GLOB") || second.IsKeyword("IN") || second.IsKeyword("CONTAINS")))
        {
            throw Error(second, "expected FIELD or NOT FIELD after HAS");
        }

        return false;
    }

    private HasFieldNode ParseHasField()
    {
        _lexer.Next(); // HAS
        var negated = false;
        if (_lexer.Peek().IsKeyword("NOT"))
        {
            _lexer.Next();
            negated = true;
        }

        _lexer.Next(); // FIELD
        var pathToken = _lexer.Peek();
        if (pathToken.Kind != TokenKind.Identifier)
        {
            throw Error(pathToken, $"expected a field name after {(negated ? "HAS NOT FIELD" : "HAS FIELD")}");
        }

        _lexer.Next();
        return new HasFieldNode(ParsePathToken(pathToken), negated);
    }

    private FilterNode ParsePredicate()
    {
        var pathToken = _lexer.Next();
        var path = ParsePathToken(pathToken);
        var op = _lexer.Peek();

        if (op.Kind == TokenKind.Operator)
        {
            _lexer.Next();
            var comparison = op.Text switch
            {
                "=" => ComparisonOperator.Equal,
                "!=" => ComparisonOperator.NotEqual,
                "<" => ComparisonOperator.LessThan,
                "<=" => ComparisonOperator.LessThanOrEqual,
                ">" => ComparisonOperator.GreaterThan,
                _ => ComparisonOperator.GreaterThanOrEqual,
            };
            var value = ParseValue($"'{op.Text}'");
            if (comparison.IsOrdering() && value.Value is not FilterValue.Number)
            {
                throw Error(value.Token, $"expected a number after '{op.Text}' (ordering operators compare numbers only)");
            }

            return new ComparisonNode(path, comparison, value.Value);
        }

        var negated = false;
        var keyword = op;
        if (op.IsKeyword("NOT"))
        {
            _lexer.Next();
            negated = true;
            keyword = _lexer.Peek();
            if (!(keyword.IsKeyword("GLOB") || keyword.IsKeyword("IN") || keyword.IsKeyword("CONTAINS")))
            {
                throw Error(keyword, "expected GLOB, IN or CONTAINS after NOT");
            }
        }

        var prefix = negated ? "NOT " : "";
        if (keyword.IsKeyword("GLOB"))
        {
            _lexer.Next();
            var patternToken = _lexer.Peek();
            if (patternToken.Kind != TokenKind.String)
            {
                throw Error(patternToken, $"expected a quoted pattern after {prefix}GLOB");
            }

            _lexer.Next();
            var node = new GlobNode(path, patternToken.StringValue!, negated);
            try
            {
                _ = node.Matcher; // compile now: reports bad patterns here and caches the matcher on the node
            }
            catch (ArgumentException ex)
            {
                throw Error(patternToken, ex.Message.TrimEnd('.'));
            }

            return node;
        }

        if (keyword.IsKeyword("IN"))
        {
            _lexer.Next();
            return new InNode(path, ParseInList(prefix + "IN"), negated);
        }

        if (keyword.IsKeyword("CONTAINS"))
        {
            _lexer.Next();
            return new ContainsNode(path, ParseValue($"{prefix}CONTAINS").Value, negated);
        }

        if (pathToken.IsKeyword("NOT") && op.Kind == TokenKind.Identifier)
        {
            // "NOT region = 'x'": there is no prefix NOT; say what to write instead of "expected an operator after 'NOT'".
            throw Error(pathToken, "a condition cannot start with NOT; write !=, NOT IN, NOT GLOB, NOT CONTAINS or HAS NOT FIELD");
        }

        throw Error(op, $"expected an operator after '{pathToken.Text}' (=, !=, <, <=, >, >=, [NOT] GLOB, [NOT] IN, [NOT] CONTAINS)");
    }

    private List<FilterValue> ParseInList(string keyword)
    {
        var open = _lexer.Peek();
        if (open.Kind != TokenKind.LeftParen)
        {
            throw Error(open, $"expected '(' and a list of values after {keyword}");
        }

        _lexer.Next();
        if (_lexer.Peek().Kind == TokenKind.RightParen)
        {
            throw Error(_lexer.Peek(), $"expected at least one value in the {keyword} list");
        }

        var values = new List<FilterValue>();
        while (true)
        {
            values.Add(ParseValue(values.Count == 0 ? "'('" : "','").Value);
            var separator = _lexer.Peek();
            if (separator.Kind == TokenKind.RightParen)
            {
                _lexer.Next();
                return values;
            }

            if (separator.Kind != TokenKind.Comma)
            {
                throw Error(separator, $"expected ',' or ')' in the {keyword} list");
            }

            _lexer.Next();
        }
    }

    private (FilterValue Value, Token Token) ParseValue(string after)
    {
        var token = _lexer.Peek();
        FilterValue? value = token.Kind switch
        {
            TokenKind.String => new FilterValue.String(token.StringValue!),
            TokenKind.Number => new FilterValue.Number(token.NumberValue),
            TokenKind.Identifier when token.IsKeyword("true") => new FilterValue.Boolean(true),
            TokenKind.Identifier when token.IsKeyword("false") => new FilterValue.Boolean(false),
            _ => null,
        };
        if (value is null)
        {
            throw Error(token, $"expected a value after {after} (a quoted string, a number, true or false)");
        }

        _lexer.Next();
        return (value, token);
    }

    /// <summary>Gives structure to a lexical path: <c>name { "." name | "[" int "]" | "[#-" int "]" }</c>.</summary>
    private FieldPath ParsePathToken(Token token)
    {
        var text = token.Text;
        var segments = new List<PathSegment>();
        var i = 0;
        segments.Add(new PathSegment.Name(ReadName(token, ref i)));
        while (i < text.Length)
        {
            switch (text[i])
            {
                case '.':
                    i++;
                    if (i >= text.Length || !IsNameChar(text[i]))
                    {
                        throw PathError(token, i, "expected a field name after '.'");
                    }

                    segments.Add(new PathSegment.Name(ReadName(token, ref i)));
                    break;
                case '[':
                    segments.Add(ReadIndex(token, ref i));
                    break;
                default:
                    throw PathError(token, i, $"unexpected '{text[i]}' in the field path '{text}'");
            }
        }

        return new FieldPath(segments);
    }

    private static bool IsNameChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';

    private static string ReadName(Token token, ref int i)
    {
        var start = i;
        while (i < token.Text.Length && IsNameChar(token.Text[i]))
        {
            i++;
        }

        return token.Text[start..i];
    }

    private PathSegment ReadIndex(Token token, ref int i)
    {
        var text = token.Text;
        var open = i;
        var close = text.IndexOf(']', open);
        var body = close < 0 ? text[(open + 1)..] : text[(open + 1)..close];
        var fromEnd = body.StartsWith("#-", StringComparison.Ordinal);
        var digits = fromEnd ? body[2..] : body;
        if (close < 0
            || digits.Length == 0
            || !digits.All(char.IsAsciiDigit)
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || (fromEnd && value < 1))
        {
            var shown = close < 0 ? text[open..] : text[open..(close + 1)];
            throw Error(
                new Token(TokenKind.Identifier, token.Position + open, shown),
                $"bad array index '{shown}': expected [n] (0-based) or [#-k] (k-th from the end, k >= 1)");
        }

        i = close + 1;
        return fromEnd ? new PathSegment.FromEnd(value) : new PathSegment.Index(value);
    }

    private FilterSyntaxException PathError(Token token, int offset, string expectation)
        => Error(new Token(TokenKind.Identifier, token.Position + offset, token.Text[offset..]), expectation);
}
