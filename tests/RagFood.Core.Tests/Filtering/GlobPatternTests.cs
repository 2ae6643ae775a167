using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Filtering;

public sealed class GlobPatternTests
{
    private static bool IsMatch(string pattern, string text)
        => GlobPattern.TryCompile(pattern, out var error)?.IsMatch(text) ?? throw new InvalidOperationException(error);

    [Theory]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything at all", true)]
    [InlineData("**", "x", true)]
    [InlineData("a*", "a", true)]
    [InlineData("a*", "ba", false)]
    [InlineData("*a", "bba", true)]
    [InlineData("*a", "ab", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXcYYb", false)]
    [InlineData("*ab*ab*", "xxabyyab", true)]
    [InlineData("*aab", "aaaab", true)]
    [InlineData("?", "x", true)]
    [InlineData("?", "", false)]
    [InlineData("?", "xy", false)]
    [InlineData("??*", "xy", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("abc", "ABC", false)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    public void Stars_and_question_marks_match_whole_strings(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, IsMatch(pattern, text));
    }

    [Theory]
    [InlineData("[abc]", "b", true)]
    [InlineData("[abc]", "d", false)]
    [InlineData("[a-z]", "q", true)]
    [InlineData("[a-z]", "Q", false)]
    [InlineData("[a-zA-Z0-9]", "Q", true)]
    [InlineData("[^a-z]", "Q", true)]
    [InlineData("[^a-z]", "q", false)]
    [InlineData("[!a-z]", "Q", true)]
    [InlineData("[]]", "]", true)]
    [InlineData("[]a]", "a", true)]
    [InlineData("[^]]", "]", false)]
    [InlineData("[^]]", "x", true)]
    [InlineData("[a-]", "-", true)]
    [InlineData("[-a]", "-", true)]
    [InlineData("[*]", "*", true)]
    [InlineData("[*]", "x", false)]
    [InlineData("[?]x", "?x", true)]
    [InlineData("[[]", "[", true)]
    [InlineData("x[0-9][0-9]", "x42", true)]
    [InlineData("x[0-9][0-9]", "x4a", false)]
    [InlineData("[é]", "é", true)]
    public void Character_classes_match_one_character(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, IsMatch(pattern, text));
    }

    [Theory]
    [InlineData("[abc")]
    [InlineData("x[")]
    [InlineData("[^")]
    [InlineData("[]")]
    [InlineData("[z-a]")]
    public void Malformed_classes_do_not_compile(string pattern)
    {
        Assert.Null(GlobPattern.TryCompile(pattern, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Pathological_patterns_finish_quickly_because_stars_backtrack_once()
    {
        // a*a*a*...b against aaaa...: exponential for naive recursive matchers.
        var pattern = string.Concat(Enumerable.Repeat("a*", 30)) + "b";
        var text = new string('a', 5000);

        Assert.False(IsMatch(pattern, text));
    }
}
