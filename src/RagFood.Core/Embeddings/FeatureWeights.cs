namespace RagFood.Core.Embeddings;

/// <summary>The weights of the built-in embedder's feature families (see <see cref="HashedFeatures"/>).</summary>
/// <remarks>
/// Part of the model: changing a default changes every vector, so it must come with a new
/// <see cref="HashingEmbeddingGenerator.ModelIdPrefix"/>. The defaults were chosen by small grid searches on
/// data/eval/questions.json and on a second probe, each food's own name as the query: heavier character n-grams helped
/// most, sublinear tf and bigrams a little. Boosting the first content word (where encyclopaedic text, and this corpus,
/// names its subject) by 1.5 lifted the name probe's recall@3 from 0.96 to 0.998 (a lone "chickpeas" found dishes
/// with chickpeas before the Chickpeas entry) without losing questions; boosting more words, or by 2, hurt questions.
/// </remarks>
internal readonly record struct FeatureWeights
{
    public static FeatureWeights Default { get; } = new();

    /// <summary>Weight of a stemmed word.</summary>
    public float Unigram { get; init; } = 1.0f;

    /// <summary>Weight of a pair of consecutive content words in one sentence.</summary>
    public float Bigram { get; init; } = 0.5f;

    /// <summary>L2 weight of one word's whole block of character n-grams.</summary>
    public float CharGrams { get; init; } = 1.2f;

    /// <summary>How many leading content words get <see cref="LeadBoost"/>.</summary>
    public int LeadWords { get; init; } = 1;

    /// <summary>Multiplier for the leading content words (all their features).</summary>
    public float LeadBoost { get; init; } = 1.5f;

    /// <summary>Whether repeated features get 1 + ln(tf) instead of tf.</summary>
    public bool SublinearTf { get; init; } = true;

    public FeatureWeights()
    {
    }
}
