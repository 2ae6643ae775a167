namespace RagFood.Core.Embeddings;

/// <summary>A small English stop-word list for the built-in embedder.</summary>
/// <remarks>
/// Function words, question words, and the fixed phrasing of the enriched corpus text ("This food is popular in …",
/// "It is a type of …"): words that occur in every record carry no signal for ranking and only dilute the vectors.
/// Words are matched after folding, before stemming.
/// </remarks>
internal static class StopWords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "with", "without", "by", "from",
        "as", "into", "onto", "about", "over", "under", "than", "then", "so", "too", "very", "also", "just", "only",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "doing",
        "has", "have", "had", "having", "can", "could", "would", "should", "will", "shall", "may", "might", "must",
        "it", "its", "itself", "this", "that", "these", "those", "there", "here", "such",
        "i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her", "they", "them", "their",
        "what", "whats", "which", "who", "whom", "whose", "where", "when", "how", "why", "whether",
        "not", "no", "dont", "doesnt", "isnt", "any", "some", "each", "every", "all", "both", "either", "more", "most",
        "other", "another", "one", "ones", "often", "usually", "typically", "sometimes", "commonly", "generally",
        "called", "call", "known", "name", "named", "kind", "sort", "something", "thing", "things",
        "food", "foods", "popular", "type", "types",
        "tell", "please", "like", "get", "got", "want", "know", "find", "give", "let", "lets", "im", "ive",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool Contains(ReadOnlySpan<char> word) => Lookup.Contains(word);
}
