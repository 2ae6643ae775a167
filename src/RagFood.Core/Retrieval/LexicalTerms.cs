using RagFood.Core.Embeddings;

namespace RagFood.Core.Retrieval;

/// <summary>The content words of a text as lexical retrieval sees them: lower-cased, accents folded, stop words
/// dropped, lightly stemmed (the built-in embedder's rules, so "Chickpeas" and "chickpea" are one term).</summary>
/// <remarks>Deterministic and culture-free. Words shorter than two characters are dropped; a word longer than
/// <see cref="MaxTermLength"/> is cut there.</remarks>
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
                terms.Add(new string(token[..stemmed]));
            }

            length = 0;
        }

        return terms;
    }
}
