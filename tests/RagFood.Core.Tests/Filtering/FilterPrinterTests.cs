using System.Globalization;
using RagFood.Core.Filtering;

namespace RagFood.Core.Tests.Filtering;

public sealed class FilterPrinterTests
{
    [Theory]
    [InlineData("region='India'", "region = 'India'")]
    [InlineData("a = \"x\"", "a = 'x'")]
    [InlineData("a = 'it''s'", @"a = 'it\'s'")]
    [InlineData(@"a = 'back\\slash'", @"a = 'back\\slash'")]
    [InlineData("a=1 and b=2 or c=3", "a = 1 AND b = 2 OR c = 3")]
    [InlineData("(a=1 or b=2) and c=3", "(a = 1 OR b = 2) AND c = 3")]
    [InlineData("a=1 or (b=2 and c=3)", "a = 1 OR b = 2 AND c = 3")]
    [InlineData("((a=1 and b=2)) and (c=3)", "a = 1 AND b = 2 AND c = 3")]
    [InlineData("(a=1 or b=2) or (c=3 or d=4)", "a = 1 OR b = 2 OR c = 3 OR d = 4")]
    [InlineData("x in (1,'a',TRUE)", "x IN (1, 'a', true)")]
    [InlineData("x not in (1)", "x NOT IN (1)")]
    [InlineData("x not glob 'a*'", "x NOT GLOB 'a*'")]
    [InlineData("x not contains FALSE", "x NOT CONTAINS false")]
    [InlineData("has not field a.b[#-1]", "HAS NOT FIELD a.b[#-1]")]
    [InlineData("has field a[0].b", "HAS FIELD a[0].b")]
    [InlineData("a = 1.50", "a = 1.5")]
    [InlineData("a = 1e3", "a = 1000")]
    [InlineData("a = -2.5e-7", "a = -2.5E-07")]
    [InlineData("a = 1e21", "a = 1E+21")]
    [InlineData("a >= 0.1", "a >= 0.1")]
    public void Printing_gives_the_canonical_text(string text, string canonical)
    {
        Assert.Equal(canonical, MetadataFilter.Parse(text)!.Text);
        Assert.Equal(canonical, MetadataFilter.Parse(text)!.ToString());
        Assert.Equal(canonical, MetadataFilter.Parse(text)!.Root.ToString());
    }

    [Theory]
    [InlineData("population > 1000000 AND geography.continent = 'Asia'")]
    [InlineData("tags[0] = 'mammal' AND diet = 'carnivore'")]
    [InlineData("(a = 1 OR b = 2) AND (c = 3 OR d = 4) AND e = 5 OR HAS NOT FIELD f")]
    [InlineData("name GLOB '[^a-c]?*x' AND tags NOT CONTAINS 'x\\'y'")]
    [InlineData("a = 'line\nbreak' AND b = 'tab\there'")]
    [InlineData("a.b.c[#-3][2] IN (-1, 0.25, 'q', false)")]
    public void Canonical_text_parses_back_to_the_same_tree(string text)
    {
        var filter = MetadataFilter.Parse(text)!;

        var reparsed = MetadataFilter.Parse(filter.Text)!;

        Assert.Equal(filter.Root, reparsed.Root);
        Assert.Equal(filter.Text, reparsed.Text);
    }

    [Fact]
    public void Or_inside_and_is_parenthesised_but_and_inside_or_is_not()
    {
        var a = Cmp("a", 1);
        var b = Cmp("b", 2);
        var c = Cmp("c", 3);

        Assert.Equal("(a = 1 OR b = 2) AND c = 3", FilterPrinter.Print(new AndNode([new OrNode([a, b]), c])));
        Assert.Equal("a = 1 AND b = 2 OR c = 3", FilterPrinter.Print(new OrNode([new AndNode([a, b]), c])));
    }

    [Fact]
    public void Built_trees_with_nested_or_single_operand_connectives_print_equivalently()
    {
        var a = Cmp("a", 1);
        var b = Cmp("b", 2);
        var c = Cmp("c", 3);
        var tree = new AndNode([new AndNode([a]), new OrNode([new AndNode([new OrNode([b, c])])]), new AndNode([a, b])]);

        var filter = MetadataFilter.FromTree(tree);

        Assert.Equal("a = 1 AND (b = 2 OR c = 3) AND a = 1 AND b = 2", filter.Text);
        Assert.Equal(new AndNode([a, new OrNode([b, c]), a, b]), filter.Root);
    }

    [Theory]
    [MemberData(nameof(UnprintableTrees))]
    public void Trees_without_a_text_form_are_rejected(FilterNode tree)
    {
        Assert.ThrowsAny<ArgumentException>(() => MetadataFilter.FromTree(tree));
    }

    public static TheoryData<FilterNode> UnprintableTrees() => new()
    {
        new AndNode([]),
        new OrNode([]),
        new InNode(FieldPath.Of("a"), [], Negated: false),
        new ComparisonNode(FieldPath.Of("has space"), ComparisonOperator.Equal, new FilterValue.Number(1)),
        new ComparisonNode(FieldPath.Of("9lives"), ComparisonOperator.Equal, new FilterValue.Number(1)),
        new ComparisonNode(FieldPath.Of(""), ComparisonOperator.Equal, new FilterValue.Number(1)),
        new ComparisonNode(FieldPath.Of("a"), ComparisonOperator.Equal, new FilterValue.Number(double.NaN)),
        new ComparisonNode(FieldPath.Of("a"), ComparisonOperator.Equal, new FilterValue.Number(double.PositiveInfinity)),
        new ComparisonNode(new FieldPath([new PathSegment.Index(0)]), ComparisonOperator.Equal, new FilterValue.Number(1)),
        new HasFieldNode(new FieldPath([new PathSegment.Name("a"), new PathSegment.FromEnd(0)]), Negated: false),
        new HasFieldNode(new FieldPath([new PathSegment.Name("a"), new PathSegment.Index(-1)]), Negated: false),
        new GlobNode(FieldPath.Of("a"), "[abc", Negated: false),
    };

    [Fact]
    public void Unprintable_trees_still_have_a_readable_to_string()
    {
        var tree = new AndNode([new ComparisonNode(FieldPath.Of("has space"), ComparisonOperator.Equal, new FilterValue.Number(double.NaN))]);

        Assert.Equal("has space = NaN", tree.ToString());
    }

    [Fact]
    public void Generated_trees_survive_print_then_parse_unchanged()
    {
        // Property: for every tree in parser-normal form, Parse(Print(t)) == t and printing is idempotent.
        var random = new Random(20261124);
        for (var i = 0; i < 3000; i++)
        {
            var tree = TreeGenerator.Tree(random, depth: 4);
            var text = FilterPrinter.Print(tree);

            FilterNode reparsed;
            try
            {
                reparsed = FilterParser.Parse(text);
            }
            catch (FilterSyntaxException ex)
            {
                Assert.Fail($"Case {i}: printed text did not parse: {text}\n{ex.Message}");
                throw;
            }

            Assert.True(tree.Equals(reparsed), $"Case {i}: round trip changed the tree.\n  printed:  {text}\n  reparsed: {FilterPrinter.Print(reparsed)}");
            Assert.Equal(text, FilterPrinter.Print(reparsed));
        }
    }

    [Fact]
    public void Generated_trees_print_the_same_after_a_whitespace_and_case_scramble()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var tree = TreeGenerator.Tree(random, depth: 3);
            var text = FilterPrinter.Print(tree);
            var scrambled = TreeGenerator.Scramble(random, text);

            Assert.Equal(text, MetadataFilter.Parse(scrambled)!.Text);
        }
    }

    private static ComparisonNode Cmp(string name, double value)
        => new(FieldPath.Of(name), ComparisonOperator.Equal, new FilterValue.Number(value));

    /// <summary>Seeded generator of random filter trees in the form the parser produces.</summary>
    internal static class TreeGenerator
    {
        private static readonly string[] Names = ["a", "region", "type", "_x", "in", "and", "has", "field", "not", "b-c", "n9", "Z_z"];
        private static readonly string[] Strings = ["", "India", "it's", "back\\slash", "say \"hi\"", "tab\there", "é ünï", "*?[", " spaced ", "''", "\\'"];
        private static readonly string[] Globs = ["*", "a*", "?b", "[abc]*", "[a-z]?[^0-9]", "[!x]", "[]x]*", "x*y*z", "it's*", "[*]"];

        public static FilterNode Tree(Random random, int depth)
        {
            if (depth == 0 || random.Next(3) == 0)
            {
                return Leaf(random);
            }

            var count = random.Next(2, 5);
            var isAnd = random.Next(2) == 0;
            var operands = new List<FilterNode>(count);
            while (operands.Count < count)
            {
                var child = Tree(random, depth - 1);

                // Parser-normal form: a connective never holds an operand of its own kind.
                if (isAnd ? child is AndNode : child is OrNode)
                {
                    continue;
                }

                operands.Add(child);
            }

            return isAnd ? new AndNode(operands) : new OrNode(operands);
        }

        public static string Scramble(Random random, string text)
        {
            // Vary the case of every character outside quotes and add whitespace around parentheses and commas.
            var result = new System.Text.StringBuilder();
            var inString = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (inString)
                {
                    result.Append(c);
                    if (c == '\\' && i + 1 < text.Length)
                    {
                        result.Append(text[++i]);
                    }
                    else if (c == '\'')
                    {
                        inString = false;
                    }

                    continue;
                }

                if (c == '\'')
                {
                    inString = true;
                    result.Append(c);
                    continue;
                }

                if (c is '(' or ')' or ',')
                {
                    result.Append(random.Next(2) == 0 ? " " : "\t ").Append(c).Append(random.Next(2) == 0 ? "\n" : "");
                    continue;
                }

                result.Append(char.IsAsciiLetter(c) && IsKeywordChar(text, i) && random.Next(2) == 0
                    ? (char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))
                    : c);
            }

            return result.ToString();
        }

        /// <summary>True when position i is inside an upper-case keyword or a boolean literal (field names are case-sensitive).</summary>
        private static bool IsKeywordChar(string text, int i)
        {
            var start = i;
            while (start > 0 && char.IsAsciiLetter(text[start - 1]))
            {
                start--;
            }

            var end = i;
            while (end < text.Length && char.IsAsciiLetter(text[end]))
            {
                end++;
            }

            var word = text[start..end];
            var before = start > 0 ? text[start - 1] : ' ';
            var after = end < text.Length ? text[end] : ' ';
            var standalone = before is ' ' or '(' && after is ' ' or ')' or ',';
            return standalone && word is "AND" or "OR" or "NOT" or "GLOB" or "IN" or "CONTAINS" or "HAS" or "FIELD" or "true" or "false";
        }

        private static FilterNode Leaf(Random random)
        {
            var path = Path(random);
            return random.Next(6) switch
            {
                0 => Comparison(random, path),
                1 => new GlobNode(path, Globs[random.Next(Globs.Length)], random.Next(2) == 0),
                2 => new InNode(path, Enumerable.Range(0, random.Next(1, 4)).Select(_ => Value(random)).ToArray(), random.Next(2) == 0),
                3 => new ContainsNode(path, Value(random), random.Next(2) == 0),
                4 => new HasFieldNode(path, random.Next(2) == 0),
                _ => Comparison(random, path),
            };
        }

        private static ComparisonNode Comparison(Random random, FieldPath path)
        {
            var op = (ComparisonOperator)random.Next(6);
            var value = op.IsOrdering() ? new FilterValue.Number(Number(random)) : Value(random);
            return new ComparisonNode(path, op, value);
        }

        private static FieldPath Path(Random random)
        {
            var segments = new List<PathSegment> { new PathSegment.Name(Names[random.Next(Names.Length)]) };
            var extra = random.Next(4);
            for (var i = 0; i < extra; i++)
            {
                segments.Add(random.Next(3) switch
                {
                    0 => new PathSegment.Name(Names[random.Next(Names.Length)]),
                    1 => new PathSegment.Index(random.Next(0, 1000)),
                    _ => new PathSegment.FromEnd(random.Next(1, 100)),
                });
            }

            return new FieldPath(segments);
        }

        private static FilterValue Value(Random random) => random.Next(3) switch
        {
            0 => new FilterValue.String(Strings[random.Next(Strings.Length)]),
            1 => new FilterValue.Number(Number(random)),
            _ => new FilterValue.Boolean(random.Next(2) == 0),
        };

        private static double Number(Random random) => random.Next(5) switch
        {
            0 => random.Next(-1000, 1000),
            1 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)),
            2 => double.Parse(random.Next(0, 100).ToString(CultureInfo.InvariantCulture) + "." + random.Next(0, 100).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            3 => random.Next(2) == 0 ? double.MaxValue : -double.Epsilon,
            _ => -0.0,
        };
    }
}
