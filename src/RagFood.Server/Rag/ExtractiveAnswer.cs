using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RagFood.Core.Corpus;
using RagFood.Core.Retrieval;

namespace RagFood.Server.Rag;

/// <summary>Builds an answer a person can read from the retrieved records alone: for each record, what it is and the
/// sentence that bears most on the question, named by the food, without the enrichment sentences ingestion appends; sources listed after.</summary>
/// <remarks>
/// Each record contributes its first sentence, which in the corpus says what the food is, then the later sentence that
/// shares most content words with the question (<see cref="LexicalTerms"/>: case, accents, plurals and verb endings aside),
/// if any: at most <see cref="MaxSentencesPerSource"/> sentences, in their original order. When the question names
/// the best match, only that record answers; every retrieved record is still listed in Sources.
/// </remarks>
internal static partial class ExtractiveAnswer
{
    public const int MaxSentencesPerSource = 2;

    // Words that carry no food meaning in a question, on top of the lexical stop words.
    private static readonly HashSet<string> QuestionNoise = new(LexicalTerms.Of("dish dishes made make eat eaten good best"), StringComparer.Ordinal);

    /// <summary>The answer text: preamble line, one line per source, then the sources line.</summary>
    public static string Build(string preamble, string question, IReadOnlyList<RagSource> sources)
    {
        var questionWords = ContentWords(question);
        var answer = new StringBuilder(preamble);

        // A question that names the best match ("What is sushi?") is about that food alone; the others stay in Sources.
        var answering = sources.Count > 0 && NamesFood(questionWords, NameOf(sources[0])) ? sources.Take(1) : sources;
        foreach (var source in answering)
        {
            answer.Append('\n').Append("- ").Append(Describe(source, questionWords));
        }

        answer.Append("\n\nSources: ");
        for (var i = 0; i < sources.Count; i++)
        {
            answer.Append(i == 0 ? "" : ", ")
                .Append(CultureInfo.InvariantCulture, $"[{i + 1}] {sources[i].Id} ({sources[i].Score:0.00})");
        }

        return answer.ToString();
    }

    /// <summary>The food's name: metadata <c>name</c>, else the id in words.</summary>
    internal static string NameOf(RagSource source)
    {
        if (source.Metadata is { ValueKind: JsonValueKind.Object } metadata
            && metadata.TryGetProperty(FoodItem.NameKey, out var name) && name.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(name.GetString()))
        {
            return name.GetString()!.Trim();
        }

        var words = source.Id.Replace('-', ' ').Replace('_', ' ').Trim();
        return words.Length == 0 ? source.Id : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>The sentences of <paramref name="text"/> without the enrichment sentences ingestion appends.</summary>
    internal static List<string> Sentences(string text)
    {
        var result = new List<string>();
        foreach (var raw in SentenceEnd().Split(text.Trim()))
        {
            var sentence = raw.Trim();
            if (sentence.Length > 0 && !Boilerplate().IsMatch(sentence))
            {
                result.Add(sentence);
            }
        }

        return result;
    }

    private static string Describe(RagSource source, HashSet<string> questionWords)
    {
        var name = NameOf(source);
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            return $"{name}: (record {source.Id} has no text)";
        }

        var sentences = Sentences(source.Text);
        if (sentences.Count == 0)
        {
            return $"{name}: (record {source.Id} has no text beyond its region and type)";
        }

        // "Idli: Soft, spongy steamed cakes ..." — the corpus's own name prefix is replaced by ours.
        var first = sentences[0];
        if (first.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
        {
            sentences[0] = first[(name.Length + 1)..].TrimStart();
            if (sentences[0].Length > 0)
            {
                sentences[0] = char.ToUpperInvariant(sentences[0][0]) + sentences[0][1..];
            }
        }

        // The first sentence says what the food is; the sentence sharing most words with the question follows it.
        var chosen = new List<string> { sentences[0] };
        var best = sentences
            .Select((sentence, index) => (sentence, index, overlap: ContentWords(sentence).Count(questionWords.Contains)))
            .Skip(1)
            .Where(s => s.overlap > 0)
            .OrderByDescending(s => s.overlap).ThenBy(s => s.index)
            .Take(MaxSentencesPerSource - 1)
            .OrderBy(s => s.index)
            .Select(s => s.sentence);
        chosen.AddRange(best);

        var body = string.Join(" ", chosen);
        return body.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? body : $"{name}: {body}";
    }

    private static HashSet<string> ContentWords(string text)
    {
        var words = new HashSet<string>(LexicalTerms.Of(text), StringComparer.Ordinal);
        words.ExceptWith(QuestionNoise);
        return words;
    }

    private static bool NamesFood(HashSet<string> questionWords, string name)
    {
        var nameWords = LexicalTerms.Of(name);
        return nameWords.Count > 0 && nameWords.All(questionWords.Contains);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9\p{Lu}])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"^(This food is popular in .+|It is a type of .+)\.$")]
    private static partial Regex Boilerplate();

}
