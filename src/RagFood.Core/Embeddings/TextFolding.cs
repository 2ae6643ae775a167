namespace RagFood.Core.Embeddings;

/// <summary>Character folding and light stemming for the built-in embedder's tokeniser.</summary>
/// <remarks>
/// Everything here is table- or rule-driven and culture-free, so the same text yields the same tokens in every process
/// (the project runs with invariant globalization, where <c>string.Normalize</c> does not decompose accents; hence the
/// hand-built fold tables).
/// </remarks>
internal static class TextFolding
{
    /// <summary>Returned by <see cref="Fold"/> for characters that end a token.</summary>
    public const char Separator = '\0';

    /// <summary>Returned by <see cref="Fold"/> for characters that are dropped without ending a token (combining marks, apostrophes).</summary>
    public const char Skip = '\uFFFF';

    // Base letters for U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A); ' ' marks non-letters (× and ÷).
    private const string Latin1AndExtendedA =
        "aaaaaaaceeeeiiiidnooooo ouuuuytsaaaaaaaceeeeiiiidnooooo ouuuuytyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

    // Base letters for U+1E00..U+1EFF (Latin Extended Additional: Vietnamese "phở", "bánh mì" and friends).
    private const string LatinExtendedAdditional =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyasssssaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyyllvvyy";

    /// <summary>Folds one character to its lower-case, accent-free form, or to <see cref="Separator"/> / <see cref="Skip"/>.</summary>
    public static char Fold(char c)
    {
        if (c < 0x80)
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                return c;
            }

            if (c is >= 'A' and <= 'Z')
            {
                return (char)(c | 0x20);
            }

            // "shepherd's" and "don't" stay one token ("shepherds", "dont").
            return c == '\'' ? Skip : Separator;
        }

        if (c is >= '\u00C0' and <= '\u017F')
        {
            var folded = Latin1AndExtendedA[c - 0xC0];
            return folded == ' ' ? Separator : folded;
        }

        if (c is >= '\u1E00' and <= '\u1EFF')
        {
            return LatinExtendedAdditional[c - 0x1E00];
        }

        if (c is >= '\u0300' and <= '\u036F' or '\u2019' or '\u02BC')
        {
            // Combining accents (decomposed input) and typographic apostrophes.
            return Skip;
        }

        return char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : Separator;
    }

    /// <summary>Whether the character ends a sentence, so word bigrams do not span it.</summary>
    public static bool EndsSentence(char c) => c is '.' or '!' or '?' or ';' or ':' or '\n';

    /// <summary>
    /// Reduces an already folded word in place so that plural and singular (and a few inflections) share a stem:
    /// "chickpeas" → "chickpea", "berries"/"berry" → "berri", "tomatoes" → "tomato", "dishes" → "dish",
    /// "quiche"/"quiches" → "quich", "fried"/"fries"/"fry" → "fri", "leaves" → "leaf". Returns the new length.
    /// </summary>
    /// <remarks>
    /// The rules need not produce real words: they run on both the indexed text and the query, so they only have to map
    /// the forms of one word to the same string. They are deliberately few, to avoid merging unrelated words.
    /// </remarks>
    public static int Stem(Span<char> word)
    {
        var n = word.Length;
        if (n >= 4 && word[n - 1] == 's')
        {
            if (n >= 5 && EndsWith(word, n, "ies"))
            {
                word[n - 3] = 'i';
                n -= 2;
            }
            else if (n >= 6 && (EndsWith(word, n, "eaves") || EndsWith(word, n, "oaves") || EndsWith(word, n, "alves")))
            {
                word[n - 3] = 'f';
                n -= 2;
            }
            else if (EndsWith(word, n, "sses") || EndsWith(word, n, "ches") || EndsWith(word, n, "shes") || EndsWith(word, n, "xes")
                || (n >= 5 && EndsWith(word, n, "oes")))
            {
                n -= 2;
            }
            else if (!EndsWith(word, n, "ss") && !EndsWith(word, n, "us") && !EndsWith(word, n, "is"))
            {
                n -= 1;
            }
        }
        else if (n >= 5 && EndsWith(word, n, "ied"))
        {
            word[n - 3] = 'i';
            n -= 2;
        }

        if (n >= 4 && EndsWith(word, n, "ie"))
        {
            n -= 1;
        }
        else if (n >= 3 && word[n - 1] == 'y')
        {
            word[n - 1] = 'i';
        }
        else if (n >= 5 && EndsWith(word, n, "che"))
        {
            n -= 1;
        }

        return n;
    }

    private static bool EndsWith(ReadOnlySpan<char> word, int length, string suffix) =>
        word[..length].EndsWith(suffix.AsSpan(), StringComparison.Ordinal);
}
