using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Filtering;

public sealed class FilterParserTests
{
    private static FilterNode Parse(string text) => MetadataFilter.Parse(text)!.Root;

    private static FieldPath Path(params string[] names) => FieldPath.Of(names);

    private static FilterValue.String S(string value) => new(value);

    private static FilterValue.Number N(double value) => new(value);

    [Theory]
    [InlineData("a = 1", ComparisonOperator.Equal)]
    [InlineData("a != 1", ComparisonOperator.NotEqual)]
    [InlineData("a < 1", ComparisonOperator.LessThan)]
    [InlineData("a <= 1", ComparisonOperator.LessThanOrEqual)]
    [InlineData("a > 1", ComparisonOperator.GreaterThan)]
    [InlineData("a >= 1", ComparisonOperator.GreaterThanOrEqual)]
    [InlineData("a>=1", ComparisonOperator.GreaterThanOrEqual)]
    public void Every_comparison_operator_parses(string text, ComparisonOperator expected)
    {
        Assert.Equal(new ComparisonNode(Path("a"), expected, N(1)), Parse(text));
    }

    [Fact]
    public void Glob_and_not_glob_parse_with_their_pattern()
    {
        Assert.Equal(new GlobNode(Path("name"), "Pa*a?[a-z]", Negated: false), Parse("name GLOB 'Pa*a?[a-z]'"));
        Assert.Equal(new GlobNode(Path("name"), "x*", Negated: true), Parse("name NOT GLOB 'x*'"));
    }

    [Fact]
    public void In_and_not_in_parse_lists_of_mixed_literals()
    {
        Assert.Equal(
            new InNode(Path("region"), [S("India"), N(2.5), new FilterValue.Boolean(true)], Negated: false),
            Parse("region IN ('India', 2.5, TRUE)"));
        Assert.Equal(new InNode(Path("region"), [S("Italy")], Negated: true), Parse("region not in (\"Italy\")"));
    }

    [Fact]
    public void Contains_and_not_contains_parse()
    {
        Assert.Equal(new ContainsNode(Path("tags"), S("spicy"), Negated: false), Parse("tags CONTAINS 'spicy'"));
        Assert.Equal(new ContainsNode(Path("tags"), N(3), Negated: true), Parse("tags NOT CONTAINS 3"));
    }

    [Fact]
    public void Has_field_and_has_not_field_parse_paths()
    {
        Assert.Equal(new HasFieldNode(FieldPath.Parse("a.b[0]"), Negated: false), Parse("HAS FIELD a.b[0]"));
        Assert.Equal(new HasFieldNode(Path("region"), Negated: true), Parse("has not field region"));
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        var a = new ComparisonNode(Path("a"), ComparisonOperator.Equal, N(1));
        var b = new ComparisonNode(Path("b"), ComparisonOperator.Equal, N(2));
        var c = new ComparisonNode(Path("c"), ComparisonOperator.Equal, N(3));

        Assert.Equal(new OrNode([a, new AndNode([b, c])]), Parse("a = 1 OR b = 2 AND c = 3"));
        Assert.Equal(new OrNode([new AndNode([a, b]), c]), Parse("a = 1 AND b = 2 OR c = 3"));
    }

    [Fact]
    public void Parentheses_override_precedence()
    {
        var a = new ComparisonNode(Path("a"), ComparisonOperator.Equal, N(1));
        var b = new ComparisonNode(Path("b"), ComparisonOperator.Equal, N(2));
        var c = new ComparisonNode(Path("c"), ComparisonOperator.Equal, N(3));

        Assert.Equal(new AndNode([new OrNode([a, b]), c]), Parse("(a = 1 OR b = 2) AND c = 3"));
        Assert.Equal(a, Parse("((((a = 1))))"));
    }

    [Fact]
    public void Chains_of_the_same_connective_are_flattened_across_parentheses()
    {
        var expected = Parse("a = 1 AND b = 2 AND c = 3 AND d = 4");

        Assert.IsType<AndNode>(expected);
        Assert.Equal(4, ((AndNode)expected).Operands.Count);
        Assert.Equal(expected, Parse("(a = 1 AND b = 2) AND (c = 3 AND (d = 4))"));
        Assert.Equal(Parse("a = 1 OR b = 2 OR c = 3"), Parse("a = 1 OR (b = 2 OR c = 3)"));
    }

    [Fact]
    public void Nested_groups_keep_their_structure()
    {
        var tree = Parse("(a = 1 OR (b = 2 AND (c = 3 OR d = 4))) AND e = 5");

        var and = Assert.IsType<AndNode>(tree);
        var or = Assert.IsType<OrNode>(and.Operands[0]);
        var innerAnd = Assert.IsType<AndNode>(or.Operands[1]);
        Assert.IsType<OrNode>(innerAnd.Operands[1]);
        Assert.IsType<ComparisonNode>(and.Operands[1]);
    }

    [Fact]
    public void Paths_nest_objects_and_index_arrays_from_either_end()
    {
        var path = FieldPath.Parse("a.b_c.d-e[0][12].f[#-1]");

        Assert.Equal<PathSegment>(
            [
                new PathSegment.Name("a"), new PathSegment.Name("b_c"), new PathSegment.Name("d-e"),
                new PathSegment.Index(0), new PathSegment.Index(12), new PathSegment.Name("f"), new PathSegment.FromEnd(1),
            ],
            path.Segments);
        Assert.Equal("a.b_c.d-e[0][12].f[#-1]", path.ToString());
        Assert.False(path.IsSimpleName);
        Assert.True(FieldPath.Parse("_x9").IsSimpleName);
    }

    [Theory]
    [InlineData("'Rome'", "Rome")]
    [InlineData("\"Rome\"", "Rome")]
    [InlineData("'it''s'", "it's")]
    [InlineData("\"say \"\"hi\"\"\"", "say \"hi\"")]
    [InlineData(@"'it\'s'", "it's")]
    [InlineData(@"'back\\slash'", @"back\slash")]
    [InlineData(@"'a\nb\tc\rd'", "a\nb\tc\rd")]
    [InlineData(@"'caf\u00e9'", "café")]
    [InlineData("'don\"t'", "don\"t")]
    [InlineData("''", "")]
    [InlineData("'  spaced  '", "  spaced  ")]
    public void String_literals_decode_quotes_and_escapes(string literal, string expected)
    {
        Assert.Equal(new ComparisonNode(Path("a"), ComparisonOperator.Equal, S(expected)), Parse("a = " + literal));
    }

    [Theory]
    [InlineData("42", 42d)]
    [InlineData("-7", -7d)]
    [InlineData("3.25", 3.25d)]
    [InlineData("-0.5", -0.5d)]
    [InlineData(".5", 0.5d)]
    [InlineData("1e3", 1000d)]
    [InlineData("2.5E-2", 0.025d)]
    [InlineData("-1.5e+2", -150d)]
    [InlineData("+4", 4d)]
    public void Number_literals_parse_in_every_spelling(string literal, double expected)
    {
        Assert.Equal(new ComparisonNode(Path("a"), ComparisonOperator.Equal, N(expected)), Parse("a = " + literal));
    }

    [Fact]
    public void Negative_numbers_can_follow_an_operator_without_spaces()
    {
        Assert.Equal(new ComparisonNode(Path("t"), ComparisonOperator.GreaterThan, N(-1)), Parse("t>-1"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("fAlSe", false)]
    public void Boolean_literals_are_case_insensitive(string literal, bool expected)
    {
        Assert.Equal(new ComparisonNode(Path("vegan"), ComparisonOperator.Equal, new FilterValue.Boolean(expected)), Parse("vegan = " + literal));
    }

    [Fact]
    public void Keywords_are_case_insensitive()
    {
        var upper = Parse("a IN (1) AND b NOT GLOB 'x' OR HAS NOT FIELD c AND d NOT CONTAINS 2 OR HAS FIELD e");
        var lower = Parse("a in (1) and b not glob 'x' or has not field c and d not contains 2 or has field e");
        var mixed = Parse("a In (1) aNd b NoT gLoB 'x' Or HaS nOt FiElD c AnD d nOT CoNtAiNs 2 oR hAs FiElD e");

        Assert.Equal(upper, lower);
        Assert.Equal(upper, mixed);
    }

    [Fact]
    public void Keywords_are_not_reserved_as_field_names()
    {
        Assert.Equal(new ComparisonNode(Path("type"), ComparisonOperator.Equal, S("x")), Parse("type = 'x'"));
        Assert.Equal(new ComparisonNode(Path("and"), ComparisonOperator.Equal, N(1)), Parse("and = 1"));
        Assert.Equal(new InNode(Path("in"), [N(1)], Negated: false), Parse("in IN (1)"));
        Assert.Equal(new ComparisonNode(Path("has"), ComparisonOperator.Equal, N(1)), Parse("has = 1"));
        Assert.Equal(new GlobNode(Path("has"), "a*", Negated: true), Parse("has NOT GLOB 'a*'"));
        Assert.Equal(new HasFieldNode(Path("field"), Negated: false), Parse("HAS FIELD field"));
        Assert.Equal(new ComparisonNode(Path("not"), ComparisonOperator.Equal, N(1)), Parse("not = 1"));
        Assert.Equal(new InNode(Path("not"), [N(1)], Negated: true), Parse("not NOT IN (1)"));
    }

    [Fact]
    public void Whitespace_of_any_kind_is_insignificant()
    {
        Assert.Equal(Parse("a = 1 AND b = 'x'"), Parse("\t a=1\n\r\nAND   b='x'  "));
    }

    [Fact]
    public void The_sdk_suite_filters_parse()
    {
        Assert.IsType<AndNode>(Parse("population > 1000000 AND geography.continent = 'Asia'"));
        Assert.IsType<AndNode>(Parse("tags[0] = 'mammal' AND diet = 'carnivore'"));
        Assert.IsType<ComparisonNode>(Parse("meta >= 2"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\n")]
    public void A_blank_filter_means_no_filter(string? text)
    {
        Assert.Null(MetadataFilter.Parse(text));
    }

    [Fact]
    public void Glob_patterns_are_compiled_when_parsed()
    {
        var glob = Assert.IsType<GlobNode>(Parse("name GLOB 'a*'"));

        Assert.Same(glob.Matcher, glob.Matcher);
        Assert.True(glob.Matcher.IsMatch("abc"));
    }

    [Fact]
    public void A_copied_glob_node_uses_its_own_pattern()
    {
        var glob = Assert.IsType<GlobNode>(Parse("name GLOB 'a*'"));
        _ = glob.Matcher;

        var copy = glob with { Pattern = "b*" };

        Assert.True(copy.Matcher.IsMatch("banana"));
        Assert.False(copy.Matcher.IsMatch("apple"));
    }

    [Fact]
    public void Operator_text_names_each_node_as_written()
    {
        var tree = (OrNode)Parse("a = 1 AND b NOT GLOB 'x' OR c NOT IN (1) OR d CONTAINS 1 OR HAS NOT FIELD e OR f <= 2");

        Assert.Equal("OR", tree.OperatorText);
        Assert.Equal("AND", tree.Operands[0].OperatorText);
        Assert.Equal("NOT GLOB", ((AndNode)tree.Operands[0]).Operands[1].OperatorText);
        Assert.Equal("NOT IN", tree.Operands[1].OperatorText);
        Assert.Equal("CONTAINS", tree.Operands[2].OperatorText);
        Assert.Equal("HAS NOT FIELD", tree.Operands[3].OperatorText);
        Assert.Equal("<=", tree.Operands[4].OperatorText);
    }

    [Fact]
    public void Equal_trees_have_equal_hash_codes()
    {
        var text = "(a IN (1, 'x') OR b GLOB 'y*') AND c.d[#-2] CONTAINS true";

        Assert.Equal(Parse(text), Parse(text));
        Assert.Equal(Parse(text).GetHashCode(), Parse(text).GetHashCode());
        Assert.NotEqual(Parse(text), Parse(text.Replace("'y*'", "'z*'", StringComparison.Ordinal)));
    }
}
