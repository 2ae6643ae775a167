using RagFood.Core.Embeddings;

namespace RagFood.Core.Retrieval;

/// <summary>The content words of a text as lexical retrieval sees them: lower-cased, accents folded, stop words
/// dropped, plurals folded (the built-in embedder's rules, so "Chickpeas" and "chickpea" are one term), and verb
/// endings and a final e removed, so "steamed", "steaming" and "steam" are one term too.</summary>
/// <remarks>
/// <para>Deterministic and culture-free. Words shorter than two characters are dropped; a word longer than
/// <see cref="MaxTermLength"/> is cut there.</para>
/// <para>The verb endings follow the spirit of step 1b of Porter's stemmer: "-ed" and "-ing" come off when a vowel is
/// left ("spiced" → "spic", "dumplings" → "dumpl", but "red" and "string" stay), "-at", "-bl" and "-iz" get their e
/// back, and a doubled final consonant other than l, s, z or f is undoubled ("chopped" → "chop", "grilled" →
/// "grill", "stuffed" → "stuff"). A final e then comes off words of four letters or more ("bake" and "baked" are
/// "bak"). Only lexical retrieval and extractive answers use these terms; the built-in embedder keeps its own lighter
/// stemming, because its vectors are stored and a change there would move its embedding space.</para>
/// </remarks>
public static class LexicalTerms
{
    public const int MaxTermLength = 48;

    /// <summary>The terms of <paramref name="text"/> in order, repeats kept.</summary>
    public static List<string> Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        Span<char> token = stackalloc char[MaxTermLength];
        var length = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var folded = i < text.Length ? TextFolding.Fold(text[i]) : TextFolding.Separator;
            if (folded == TextFolding.Skip)
            {
                continue;
            }

            if (folded != TextFolding.Separator)
            {
                if (length < MaxTermLength)
                {
                    token[length++] = folded;
                }

                continue;
            }

            if (length >= 2 && !StopWords.Contains(token[..length]))
            {
                var stemmed = TextFolding.Stem(token[..length]);
                stemmed = StripFinalE(token, StripVerbEnding(token, stemmed));
                terms.Add(new string(token[..stemmed]));
            }

            length = 0;
        }

        return terms;
    }

    /// <summary>Removes "-ed" or "-ing" from <c>word[..length]</c> as described on the class; returns the new length.</summary>
    private static int StripVerbEnding(Span<char> word, int length)
    {
        ReadOnlySpan<char> w = word[..length];
        int stem;
        if (w.EndsWith("eed"))
        {
            return length;
        }

        if (length > 4 && w.EndsWith("ed"))
        {
            stem = length - 2;
        }
        else if (length > 5 && w.EndsWith("ing"))
        {
            stem = length - 3;
        }
        else
        {
            return length;
        }

        if (!HasVowel(word[..stem]))
        {
            return length;
        }

        ReadOnlySpan<char> s = word[..stem];
        if (s.EndsWith("at") || s.EndsWith("bl") || s.EndsWith("iz"))
        {
            word[stem] = 'e';
            return stem + 1;
        }

        if (stem >= 2 && s[^1] == s[^2] && !IsVowel(s, stem - 1) && s[^1] is not ('l' or 's' or 'z' or 'f'))
        {
            return stem - 1;
        }

        return stem;
    }

    private static int StripFinalE(ReadOnlySpan<char> word, int length) => length >= 4 && word[length - 1] == 'e' ? length - 1 : length;

    private static bool HasVowel(ReadOnlySpan<char> word)
    {
        for (var i = 0; i < word.Length; i++)
        {
            if (IsVowel(word, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsVowel(ReadOnlySpan<char> word, int i) =>
        word[i] is 'a' or 'e' or 'i' or 'o' or 'u' || (word[i] == 'y' && i > 0 && !IsVowel(word, i - 1));
}
