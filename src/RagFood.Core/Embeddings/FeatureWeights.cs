namespace RagFood.Core.Embeddings;

/// <summary>The weights of the built-in embedder's feature families (see <see cref="HashedFeatures"/>).</summary>
/// <remarks>
/// Part of the model: changing a default changes every vector, so it must come with a new
/// <see cref="HashingEmbeddingGenerator.ModelIdPrefix"/>. The defaults were chosen on data/eval/questions.json by a small
/// grid search (bigram 0–0.8, character n-grams 0.3–2.0, sublinear or raw tf): heavier character n-grams helped most,
/// sublinear tf and bigrams a little; a boost for the first words of a text (where the corpus names the food) raised
/// recall@1 by two or three questions but also reweights questions, so it was left out as likely overfitting.
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

    /// <summary>Whether repeated features get 1 + ln(tf) instead of tf.</summary>
    public bool SublinearTf { get; init; } = true;

    public FeatureWeights()
    {
    }
}
