namespace RagFood.Core.Filtering;

/// <summary>A compiled UNIX glob: whole-string, case-sensitive, matched without regular expressions or allocation.</summary>
/// <remarks>
/// The pattern is compiled once into single-character steps and stars; matching is the classic greedy
/// star-backtracking loop, O(pattern × text) in the worst case and linear in the usual one. Characters are UTF-16
/// code units, so <c>?</c> matches one half of a surrogate pair.
/// </remarks>
internal sealed class GlobPattern
{
    private readonly Step[] _steps;
    private readonly CharClass[] _classes;

    private GlobPattern(string source, Step[] steps, CharClass[] classes)
    {
        Source = source;
        _steps = steps;
        _classes = classes;
    }

    /// <summary>The pattern text this matcher was compiled from.</summary>
    public string Source { get; }

    private enum StepKind : byte
    {
        Literal,
        AnyChar,
        Star,
        Class,
    }

    /// <summary>Compiles a pattern, or returns null with a reason (position-free, e.g. "unterminated '[' at offset 3").</summary>
    public static GlobPattern? TryCompile(string pattern, out string? error)
    {
        var steps = new List<Step>(pattern.Length);
        var classes = new List<CharClass>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    // Runs of stars mean the same as one star; collapsing them keeps backtracking linear.
                    if (steps.Count == 0 || steps[^1].Kind != StepKind.Star)
                    {
                        steps.Add(new Step(StepKind.Star, '\0', 0));
                    }

                    break;
                case '?':
                    steps.Add(new Step(StepKind.AnyChar, '\0', 0));
                    break;
                case '[':
                    var charClass = ParseClass(pattern, ref i, out error);
                    if (charClass is null)
                    {
                        return null;
                    }

                    classes.Add(charClass);
                    steps.Add(new Step(StepKind.Class, '\0', classes.Count - 1));
                    break;
                default:
                    steps.Add(new Step(StepKind.Literal, c, 0));
                    break;
            }
        }

        error = null;
        return new GlobPattern(pattern, steps.ToArray(), classes.ToArray());
    }

    /// <summary>True when the whole of <paramref name="text"/> matches the pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> text)
    {
        var steps = _steps;
        int p = 0, s = 0, starStep = -1, starText = 0;
        while (s < text.Length)
        {
            if (p < steps.Length)
            {
                var step = steps[p];
                if (step.Kind == StepKind.Star)
                {
                    starStep = p++;
                    starText = s;
                    continue;
                }

                if (Matches(step, text[s]))
                {
                    p++;
                    s++;
                    continue;
                }
            }

            if (starStep < 0)
            {
                return false;
            }

            // Let the last star swallow one more character and retry the steps after it.
            p = starStep + 1;
            s = ++starText;
        }

        while (p < steps.Length && steps[p].Kind == StepKind.Star)
        {
            p++;
        }

        return p == steps.Length;
    }

    private bool Matches(Step step, char c) => step.Kind switch
    {
        StepKind.Literal => step.Literal == c,
        StepKind.AnyChar => true,
        StepKind.Class => _classes[step.ClassIndex].Contains(c),
        _ => false,
    };

    private static CharClass? ParseClass(string pattern, ref int i, out string? error)
    {
        var open = i;
        var j = i + 1;
        var negated = false;
        if (j < pattern.Length && pattern[j] is '^' or '!')
        {
            negated = true;
            j++;
        }

        var ranges = new List<(char Low, char High)>();
        var first = true;
        while (j < pattern.Length && (pattern[j] != ']' || first))
        {
            var low = pattern[j];
            if (j + 2 < pattern.Length && pattern[j + 1] == '-' && pattern[j + 2] != ']')
            {
                var high = pattern[j + 2];
                if (high < low)
                {
                    error = $"the range '{low}-{high}' at offset {j} runs backwards";
                    return null;
                }

                ranges.Add((low, high));
                j += 3;
            }
            else
            {
                ranges.Add((low, low));
                j++;
            }

            first = false;
        }

        if (j >= pattern.Length)
        {
            error = $"the character class '[' at offset {open} has no closing ']' (write [[] for a literal '[')";
            return null;
        }

        i = j;
        error = null;
        return new CharClass(ranges.ToArray(), negated);
    }

    private readonly record struct Step(StepKind Kind, char Literal, int ClassIndex);

    private sealed class CharClass((char Low, char High)[] ranges, bool negated)
    {
        public bool Contains(char c)
        {
            foreach (var (low, high) in ranges)
            {
                if (c >= low && c <= high)
                {
                    return !negated;
                }
            }

            return negated;
        }
    }
}
