using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace RagFood.Core.Embeddings;

/// <summary>The feature extraction and hashing behind <see cref="HashingEmbeddingGenerator"/>.</summary>
/// <remarks>
/// <para>Features: stemmed word unigrams, bigrams of consecutive content words within a sentence, and character 3-, 4-
/// and 5-grams of each stemmed word with boundary markers (<c>&lt;chickpea&gt;</c>), weighted per family by
/// <see cref="FeatureWeights"/>; the first content word of a text weighs more, because texts (and this corpus) name
/// their subject first. Each distinct feature gets <c>w · (1 + ln tf)</c> (sublinear term frequency), is hashed with FNV-1a plus a murmur finaliser (stable across
/// processes and platforms, unlike <see cref="string.GetHashCode()"/>) and added with a hash-derived sign to one
/// coordinate (signed feature hashing, so collisions cancel on average instead of piling up). The result is
/// L2-normalised.</para>
/// <para>Character n-grams are scaled by 1/√(n-grams in the word) so that every word's n-gram block weighs the same
/// whatever its length; they let related forms ("ferment"/"fermented", "India"/"Indian") and misspellings overlap.</para>
/// <para>Scripts written without spaces (Chinese, Japanese) become one token per run of letters, cut at
/// <see cref="MaxTokenLength"/>; their character n-grams still let related runs overlap, but the embedder is tuned for
/// English and Latin-script food names.</para>
/// <para>Text with no content words falls back to its stop words; text with no word characters at all (empty,
/// whitespace, punctuation) maps to one fixed unit vector on a reserved feature, because cosine stores cannot hold a
/// zero vector. All such texts embed identically and are near-orthogonal to real text.</para>
/// </remarks>
internal static class HashedFeatures
{
    internal const int MinCharGram = 3;
    internal const int MaxCharGram = 5;

    /// <summary>Longer tokens are cut: nothing in food text is that long, and it bounds the stack buffer.</summary>
    internal const int MaxTokenLength = 48;

    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;
    private const uint UnigramSeed = 0x2545F491;
    private const uint BigramSeed = 0x9E3779B9;
    private const uint CharGramSeed = 0x85EBCA6B;
    private const uint ReservedSeed = 0xC2B2AE35;

    /// <summary>Writes the unit-length embedding of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    public static void Embed(ReadOnlySpan<char> text, Span<float> destination, FeatureWeights weights)
    {
        destination.Clear();
        var table = new FeatureTable(Math.Max(64, text.Length * 4));
        try
        {
            Extract(text, ref table, weights, skipStopWords: true);
            if (table.Count == 0)
            {
                // Only stop words ("what is it?"): better to match on them than to say nothing at all.
                Extract(text, ref table, weights, skipStopWords: false);
            }

            table.ProjectInto(destination, weights.SublinearTf);
        }
        finally
        {
            table.Return();
        }

        var norm = TensorPrimitives.Norm(destination);
        if (norm < 1e-12f)
        {
            // No features, or (astronomically rare) features that cancelled exactly: the reserved "empty" direction.
            destination.Clear();
            destination[Bucket(Mix(HashChars("\u0001empty") ^ ReservedSeed), destination.Length)] = 1f;
            return;
        }

        TensorPrimitives.Divide(destination, norm, destination);
    }

    private static void Extract(ReadOnlySpan<char> text, ref FeatureTable table, in FeatureWeights weights, bool skipStopWords)
    {
        Span<char> token = stackalloc char[MaxTokenLength];
        Span<char> marked = stackalloc char[MaxTokenLength + 2];
        var length = 0;
        uint previous = 0;
        var hasPrevious = false;
        var position = 0;

        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : TextFolding.Separator;
            var folded = i < text.Length ? TextFolding.Fold(c) : TextFolding.Separator;
            if (folded == TextFolding.Skip)
            {
                continue;
            }

            if (folded != TextFolding.Separator)
            {
                if (length < MaxTokenLength)
                {
                    token[length++] = folded;
                }

                continue;
            }

            if (length > 0)
            {
                var word = token[..length];
                length = 0;
                if (word.Length >= 2 && !(skipStopWords && StopWords.Contains(word)))
                {
                    var stemLength = TextFolding.Stem(word);
                    var stem = word[..stemLength];
                    var wordHash = HashChars(stem);
                    var boost = position < weights.LeadWords ? weights.LeadBoost : 1f;
                    position++;
                    table.Add(Mix(wordHash ^ UnigramSeed), weights.Unigram * boost);
                    if (hasPrevious && weights.Bigram > 0)
                    {
                        table.Add(Mix((previous * 0x01000193u) + wordHash + BigramSeed), weights.Bigram * boost);
                    }

                    previous = wordHash;
                    hasPrevious = true;
                    if (weights.CharGrams > 0)
                    {
                        AddCharGrams(stem, marked, ref table, weights.CharGrams * boost);
                    }
                }
            }

            if (i < text.Length && TextFolding.EndsSentence(c))
            {
                hasPrevious = false;
            }
        }
    }

    private static void AddCharGrams(ReadOnlySpan<char> stem, Span<char> marked, ref FeatureTable table, float blockWeight)
    {
        var m = stem.Length + 2;
        marked[0] = '<';
        stem.CopyTo(marked[1..]);
        marked[m - 1] = '>';

        var grams = 0;
        for (var n = MinCharGram; n <= MaxCharGram && n <= m; n++)
        {
            grams += m - n + 1;
        }

        if (grams == 0)
        {
            return;
        }

        var weight = blockWeight / MathF.Sqrt(grams);
        for (var n = MinCharGram; n <= MaxCharGram && n <= m; n++)
        {
            for (var start = 0; start + n <= m; start++)
            {
                table.Add(Mix(HashChars(marked.Slice(start, n)) ^ CharGramSeed), weight);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HashChars(ReadOnlySpan<char> chars)
    {
        var hash = FnvOffset;
        foreach (var c in chars)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return hash;
    }

    /// <summary>Murmur3's finaliser: spreads FNV's weak high bits, which pick the bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h == 0 ? 1u : h;
    }

    /// <summary>Maps a hash to [0, dimension) from its high bits (multiply-shift, no modulo bias worth noting).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(uint hash, int dimension) => (int)(((ulong)hash * (ulong)dimension) >> 32);

    /// <summary>Open-addressing map from feature hash to (weight sum, count), on pooled arrays.</summary>
    private struct FeatureTable
    {
        private uint[] _keys;
        private float[] _weights;
        private int[] _counts;
        private int _mask;

        public FeatureTable(int expected)
        {
            var capacity = (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)expected));
            Rent(capacity);
        }

        public int Count { get; private set; }

        public void Add(uint key, float weight)
        {
            if ((Count + 1) * 4 > (_mask + 1) * 3)
            {
                Grow();
            }

            var slot = (int)key & _mask;
            while (true)
            {
                var existing = _keys[slot];
                if (existing == key)
                {
                    _weights[slot] += weight;
                    _counts[slot]++;
                    return;
                }

                if (existing == 0)
                {
                    _keys[slot] = key;
                    _weights[slot] = weight;
                    _counts[slot] = 1;
                    Count++;
                    return;
                }

                slot = (slot + 1) & _mask;
            }
        }

        public readonly void ProjectInto(Span<float> destination, bool sublinearTf)
        {
            var dimension = destination.Length;
            for (var slot = 0; slot <= _mask; slot++)
            {
                var key = _keys[slot];
                if (key == 0)
                {
                    continue;
                }

                var count = _counts[slot];
                var value = count == 1 || !sublinearTf ? _weights[slot] : _weights[slot] / count * (1f + MathF.Log(count));
                destination[Bucket(key, dimension)] += (key & 1) == 0 ? value : -value;
            }
        }

        public readonly void Return()
        {
            ArrayPool<uint>.Shared.Return(_keys);
            ArrayPool<float>.Shared.Return(_weights);
            ArrayPool<int>.Shared.Return(_counts);
        }

        [MemberNotNull(nameof(_keys), nameof(_weights), nameof(_counts))]
        private void Rent(int capacity)
        {
            _keys = ArrayPool<uint>.Shared.Rent(capacity);
            _weights = ArrayPool<float>.Shared.Rent(capacity);
            _counts = ArrayPool<int>.Shared.Rent(capacity);
            Array.Clear(_keys, 0, capacity);
            _mask = capacity - 1;
            Count = 0;
        }

        private void Grow()
        {
            var oldKeys = _keys;
            var oldWeights = _weights;
            var oldCounts = _counts;
            var oldCapacity = _mask + 1;
            Rent(oldCapacity * 2);
            for (var slot = 0; slot < oldCapacity; slot++)
            {
                var key = oldKeys[slot];
                if (key == 0)
                {
                    continue;
                }

                var target = (int)key & _mask;
                while (_keys[target] != 0)
                {
                    target = (target + 1) & _mask;
                }

                _keys[target] = key;
                _weights[target] = oldWeights[slot];
                _counts[target] = oldCounts[slot];
                Count++;
            }

            ArrayPool<uint>.Shared.Return(oldKeys);
            ArrayPool<float>.Shared.Return(oldWeights);
            ArrayPool<int>.Shared.Return(oldCounts);
        }
    }
}
