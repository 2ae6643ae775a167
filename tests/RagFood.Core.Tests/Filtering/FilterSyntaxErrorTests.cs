using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Filtering;

public sealed class FilterSyntaxErrorTests
{
    private static FilterSyntaxException Fail(string text) => Assert.Throws<FilterSyntaxException>(() => MetadataFilter.Parse(text));

    [Fact]
    public void A_missing_value_names_the_position_the_token_and_the_expectation()
    {
        var error = Fail("region = 'x' AND type = AND b = 1");

        Assert.Equal(24, error.Position);
        Assert.Equal("AND", error.Token);
        Assert.StartsWith("Invalid filter at position 24 near 'AND': expected a value after '='", error.Message, StringComparison.Ordinal);
        Assert.Equal("filter", error.ParamName);
        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Theory]
    [InlineData("name = 'abc", 7, "'abc", "unterminated string")]
    [InlineData("name = \"abc", 7, "\"abc", "unterminated string")]
    [InlineData(@"name = 'abc\'", 7, @"'abc\'", "unterminated string")]
    [InlineData("a == 1", 2, "==", "unknown operator '=='")]
    [InlineData("a <> 1", 2, "<>", "unknown operator '<>'")]
    [InlineData("a =< 1", 2, "=<", "unknown operator")]
    [InlineData("a LIKE 'x'", 2, "LIKE", "expected an operator after 'a'")]
    [InlineData("a ~ 1", 2, "~", "unexpected character '~'")]
    [InlineData("a = 1 b = 2", 6, "b", "expected AND, OR or the end of the filter")]
    [InlineData("a = 1)", 5, ")", "no matching '('")]
    [InlineData("()", 1, ")", "empty parentheses")]
    [InlineData("a = 1 AND ()", 11, ")", "empty parentheses")]
    [InlineData("(a = 1", 6, "", "expected ')' to close the '(' at position 0")]
    [InlineData("a IN", 4, "", "expected '(' and a list of values after IN")]
    [InlineData("a NOT IN 'x'", 9, "'x'", "expected '(' and a list of values after NOT IN")]
    [InlineData("a IN ()", 6, ")", "expected at least one value in the IN list")]
    [InlineData("a IN (1 2)", 8, "2", "expected ',' or ')' in the IN list")]
    [InlineData("a IN (1,)", 8, ")", "expected a value after ','")]
    [InlineData("a IN (1", 7, "", "expected ',' or ')'")]
    [InlineData("a[x] = 1", 1, "[x]", "bad array index '[x]'")]
    [InlineData("a[-1] = 1", 1, "[-1]", "bad array index")]
    [InlineData("a[#-0] = 1", 1, "[#-0]", "bad array index")]
    [InlineData("a[#1] = 1", 1, "[#1]", "bad array index")]
    [InlineData("a[] = 1", 1, "[]", "bad array index")]
    [InlineData("x.a[1 = 1", 3, "[1", "bad array index")]
    [InlineData("a[99999999999] = 1", 1, "[99999999999]", "bad array index")]
    [InlineData("a. = 1", 2, "", "expected a field name after '.'")]
    [InlineData("a#b = 1", 1, "#b", "unexpected '#'")]
    [InlineData("a = India", 4, "India", "expected a value after '='")]
    [InlineData("a < 'x'", 4, "'x'", "ordering operators compare numbers only")]
    [InlineData("a >= true", 5, "true", "expected a number after '>='")]
    [InlineData("a GLOB 3", 7, "3", "expected a quoted pattern after GLOB")]
    [InlineData("a GLOB 'x[a-'", 7, "'x[a-'", "Invalid GLOB pattern")]
    [InlineData("a GLOB '[z-a]'", 7, "'[z-a]'", "runs backwards")]
    [InlineData("a NOT = 1", 6, "=", "expected GLOB, IN or CONTAINS after NOT")]
    [InlineData("a CONTAINS", 10, "", "expected a value after CONTAINS")]
    [InlineData("HAS FIELD", 9, "", "expected a field name after HAS FIELD")]
    [InlineData("HAS NOT FIELD 'a'", 14, "'a'", "expected a field name after HAS NOT FIELD")]
    [InlineData("HAS NOT region", 8, "region", "expected FIELD after HAS NOT")]
    [InlineData("HAS region", 4, "region", "expected FIELD or NOT FIELD after HAS")]
    [InlineData("a = 1 AND", 9, "", "expected a condition")]
    [InlineData("OR a = 1", 3, "a", "expected an operator after 'OR'")]
    [InlineData("= 1", 0, "=", "expected a condition")]
    [InlineData("a = 1e999", 4, "1e999", "out of range")]
    [InlineData("NOT a = 1", 0, "NOT", "a condition cannot start with NOT")]
    [InlineData("x = 1 AND not tags CONTAINS 'a'", 10, "not", "write !=, NOT IN, NOT GLOB, NOT CONTAINS or HAS NOT FIELD")]
    [InlineData("a BETWEEN 1 AND 2", 2, "BETWEEN", "expected an operator after 'a'")]
    [InlineData("a = 1 && b = 2", 6, "&", "unexpected character '&'")]
    [InlineData("a = 1 AND b = 2 OR c", 20, "", "expected an operator after 'c'")]
    public void Malformed_filters_report_position_token_and_expectation(string text, int position, string token, string expectation)
    {
        var error = Fail(text);

        Assert.Equal(position, error.Position);
        Assert.Equal(token, error.Token);
        Assert.Contains(expectation, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid filter at position {position} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void End_of_input_is_named_as_such()
    {
        var error = Fail("a =");

        Assert.Equal("Invalid filter at position 3 (end of input): expected a value after '=' (a quoted string, a number, true or false).", error.Message);
    }

    [Fact]
    public void A_long_offending_token_is_shortened_in_the_message()
    {
        var error = Fail("a = 'this string is never closed and goes on and on");

        Assert.Contains("near ''this string is never...'", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Position);
    }

    [Fact]
    public void Deep_nesting_is_rejected_instead_of_exhausting_the_stack()
    {
        var depth = FilterParser.MaxDepth + 1;
        var text = new string('(', depth) + "a = 1" + new string(')', depth);

        var error = Fail(text);

        Assert.Contains("nested more than", error.Message, StringComparison.Ordinal);
        Assert.Equal(FilterParser.MaxDepth, error.Position);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        var depth = FilterParser.MaxDepth;
        var text = new string('(', depth) + "a = 1" + new string(')', depth);

        Assert.NotNull(MetadataFilter.Parse(text));
    }

    [Fact]
    public void The_first_error_in_reading_order_is_reported()
    {
        // The unterminated string comes later than the bad operator; the operator is reported.
        var error = Fail("a == 1 AND b = 'x");

        Assert.Equal(2, error.Position);
    }

    [Theory]
    [InlineData(" a")]
    [InlineData("a b")]
    [InlineData("a.")]
    [InlineData("1a")]
    [InlineData("")]
    public void Field_path_parse_rejects_text_that_is_not_exactly_a_path(string text)
    {
        Assert.Throws<FilterSyntaxException>(() => FieldPath.Parse(text));
    }
}
