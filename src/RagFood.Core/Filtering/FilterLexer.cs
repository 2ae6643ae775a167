using System.Globalization;
using System.Text;

namespace RagFood.Core.Filtering;

internal enum TokenKind
{
    End,
    Identifier,
    String,
    Number,
    Operator,
    LeftParen,
    RightParen,
    Comma,
}

/// <summary>A token: its kind, 0-based position, raw source text and decoded value.</summary>
internal readonly record struct Token(TokenKind Kind, int Position, string Text, string? StringValue = null, double NumberValue = 0)
{
    /// <summary>True for an identifier equal to <paramref name="keyword"/>, ignoring case.</summary>
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Turns filter text into tokens on demand, so that the first error in reading order is the one reported.</summary>
/// <remarks>
/// Keywords are not reserved: they are identifiers that the parser recognises by position, so a field may be called
/// <c>type</c>, <c>in</c> or <c>and</c>. An identifier is lexically <c>[A-Za-z_][A-Za-z0-9_.\[\]#-]*</c> (a whole path);
/// the parser gives it structure.
/// </remarks>
internal sealed class FilterLexer(string text)
{
    private readonly List<Token> _lookahead = [];
    private int _offset;

    public string Text => text;

    public Token Peek(int ahead = 0)
    {
        while (_lookahead.Count <= ahead)
        {
            _lookahead.Add(Lex());
        }

        return _lookahead[ahead];
    }

    public Token Next()
    {
        var token = Peek();
        _lookahead.RemoveAt(0);
        return token;
    }

    public static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    public static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.IsAsciiDigit(c) || c is '.' or '[' or ']' or '#' or '-';

    private Token Lex()
    {
        while (_offset < text.Length && char.IsWhiteSpace(text[_offset]))
        {
            _offset++;
        }

        if (_offset >= text.Length)
        {
            return new Token(TokenKind.End, text.Length, "");
        }

        var start = _offset;
        var c = text[start];
        switch (c)
        {
            case '(':
                _offset++;
                return new Token(TokenKind.LeftParen, start, "(");
            case ')':
                _offset++;
                return new Token(TokenKind.RightParen, start, ")");
            case ',':
                _offset++;
                return new Token(TokenKind.Comma, start, ",");
            case '\'' or '"':
                return LexString(start, c);
            case '=' or '!' or '<' or '>':
                return LexOperator(start);
        }

        if (char.IsAsciiDigit(c) || (c is '-' or '+' or '.' && start + 1 < text.Length && (char.IsAsciiDigit(text[start + 1]) || (text[start + 1] == '.' && c != '.'))))
        {
            return LexNumber(start);
        }

        if (IsIdentifierStart(c))
        {
            while (_offset < text.Length && IsIdentifierPart(text[_offset]))
            {
                _offset++;
            }

            return new Token(TokenKind.Identifier, start, text[start.._offset]);
        }

        throw FilterParser.Error(text, new Token(TokenKind.Identifier, start, c.ToString()), $"unexpected character '{c}'");
    }

    private Token LexOperator(int start)
    {
        while (_offset < text.Length && text[_offset] is '=' or '!' or '<' or '>')
        {
            _offset++;
        }

        var op = text[start.._offset];
        if (op is "=" or "!=" or "<" or "<=" or ">" or ">=")
        {
            return new Token(TokenKind.Operator, start, op);
        }

        throw FilterParser.Error(text, new Token(TokenKind.Operator, start, op), $"unknown operator '{op}'; expected one of =, !=, <, <=, >, >=");
    }

    private Token LexNumber(int start)
    {
        var i = start;
        if (text[i] is '-' or '+')
        {
            i++;
        }

        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponent = i + 1;
            if (exponent < text.Length && text[exponent] is '-' or '+')
            {
                exponent++;
            }

            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                i = exponent;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
        }

        _offset = i;
        var raw = text[start..i];
        var token = new Token(TokenKind.Number, start, raw);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw FilterParser.Error(text, token, $"'{raw}' is not a number");
        }

        if (!double.IsFinite(value))
        {
            throw FilterParser.Error(text, token, $"the number '{raw}' is out of range");
        }

        return token with { NumberValue = value };
    }

    private Token LexString(int start, char quote)
    {
        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == quote)
            {
                // A doubled quote stands for one quote character, as in SQL.
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                _offset = i + 1;
                return new Token(TokenKind.String, start, text[start.._offset], value.ToString());
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                var escaped = text[i + 1];
                switch (escaped)
                {
                    case 'n':
                        value.Append('\n');
                        break;
                    case 't':
                        value.Append('\t');
                        break;
                    case 'r':
                        value.Append('\r');
                        break;
                    case 'u' when i + 5 < text.Length
                        && ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        value.Append((char)code);
                        i += 4;
                        break;
                    default:
                        // Any other escaped character stands for itself: \' \" \\ and friends.
                        value.Append(escaped);
                        break;
                }

                i += 2;
                continue;
            }

            value.Append(c);
            i++;
        }

        throw FilterParser.Error(text, new Token(TokenKind.String, start, text[start..]), $"unterminated string: the {quote} opened here is never closed");
    }
}
