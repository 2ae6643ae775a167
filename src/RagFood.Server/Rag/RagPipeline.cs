using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Logging;

namespace RagFood.Server.Rag;

/// <summary>Retrieves from the composed <see cref="IVectorStore"/> and answers with the chat client, or extractively.</summary>
/// <remarks>
/// The chat client is optional (registered only when <c>Ollama:Url</c> is set). Each generation gets <c>Ollama:Timeout</c>
/// on top of the caller's token: when that limit, an unreachable Ollama or an Ollama error stops generation, the answer
/// is built from the retrieved records instead and the reason travels with it. The caller's own cancellation is never
/// turned into an answer.
/// </remarks>
internal sealed class RagPipeline(
    IVectorStore store,
    RelevanceFloorProvider relevance,
    IOptionsMonitor<RagOptions> ragOptions,
    IOptions<OllamaOptions> ollamaOptions,
    ILogger<RagPipeline> logger,
    IChatClient? chatClient = null) : IRagPipeline
{
    public const string ExtractiveModel = "extractive";
    public const string NoModel = "none";

    private readonly OllamaOptions _ollama = ollamaOptions.Value;

    public async Task<RagAnswer> AskAsync(RagQuestion question, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (sources, floor, noContextReason) = await RetrieveAsync(question, cancellationToken).ConfigureAwait(false);
        var retrievalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var options = ragOptions.CurrentValue;

        if (sources.Count == 0)
        {
            return new RagAnswer(options.NoContextAnswer, sources, NoModel, RagAnswerMode.NoContext, noContextReason,
                Timings(started, retrievalMs, 0)) { RelevanceFloor = floor };
        }

        var generationStarted = Stopwatch.GetTimestamp();
        string reason;
        if (chatClient is null)
        {
            reason = NoModelReason;
        }
        else
        {
            var prompt = BuildPrompt(options, question.Question, sources);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_ollama.Timeout);
            try
            {
                var response = await chatClient.GetResponseAsync(prompt, ChatOptions, timeout.Token).ConfigureAwait(false);
                var text = response.Text.Trim();
                var generationMs = Stopwatch.GetElapsedTime(generationStarted).TotalMilliseconds;
                if (text.Length > 0)
                {
                    var model = response.ModelId ?? _ollama.ChatModel;
                    Log.RagGenerated(logger, model, generationMs);
                    return new RagAnswer(text, sources, model, RagAnswerMode.Generated, "", Timings(started, retrievalMs, generationMs))
                    {
                        RelevanceFloor = floor,
                    };
                }

                reason = $"Ollama at {_ollama.DisplayUrl} returned an empty answer";
            }
            catch (Exception ex) when (DescribeFailure(ex, cancellationToken) is { } failure)
            {
                Log.RagExtractiveFallback(logger, failure, ex);
                reason = failure;
            }
        }

        var answer = BuildExtractiveAnswer(options, reason, question.Question, sources);
        return new RagAnswer(answer, sources, ExtractiveModel, RagAnswerMode.Extractive, reason,
            Timings(started, retrievalMs, Stopwatch.GetElapsedTime(generationStarted).TotalMilliseconds)) { RelevanceFloor = floor };
    }

    public async IAsyncEnumerable<RagStreamEvent> AskStreamAsync(RagQuestion question, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (sources, floor, noContextReason) = await RetrieveAsync(question, cancellationToken).ConfigureAwait(false);
        var retrievalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var options = ragOptions.CurrentValue;
        yield return new RagSourcesEvent(sources);

        if (sources.Count == 0)
        {
            yield return new RagTokenEvent(options.NoContextAnswer);
            yield return new RagSummaryEvent(options.NoContextAnswer, NoModel, RagAnswerMode.NoContext, noContextReason,
                Timings(started, retrievalMs, 0)) { RelevanceFloor = floor };
            yield break;
        }

        var generationStarted = Stopwatch.GetTimestamp();
        var generated = new StringBuilder();
        string? reason = chatClient is null ? NoModelReason : null;
        string? model = null;
        if (chatClient is not null)
        {
            var prompt = BuildPrompt(options, question.Question, sources);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_ollama.Timeout);
            var updates = chatClient.GetStreamingResponseAsync(prompt, ChatOptions, timeout.Token).GetAsyncEnumerator(timeout.Token);
            try
            {
                while (true)
                {
                    ChatResponseUpdate update;
                    try
                    {
                        if (!await updates.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = updates.Current;
                    }
                    catch (Exception ex) when (DescribeFailure(ex, cancellationToken) is { } failure)
                    {
                        Log.RagExtractiveFallback(logger, failure, ex);
                        reason = generated.Length == 0 ? failure : $"{failure} after part of the answer was streamed";
                        break;
                    }

                    model ??= update.ModelId;
                    var text = update.Text;
                    if (!string.IsNullOrEmpty(text))
                    {
                        generated.Append(text);
                        yield return new RagTokenEvent(text);
                    }
                }
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }

            if (reason is null && generated.ToString().Trim().Length == 0)
            {
                reason = $"Ollama at {_ollama.DisplayUrl} returned an empty answer";
            }
        }

        if (reason is null)
        {
            var generationMs = Stopwatch.GetElapsedTime(generationStarted).TotalMilliseconds;
            model ??= _ollama.ChatModel;
            Log.RagGenerated(logger, model, generationMs);
            yield return new RagSummaryEvent(generated.ToString().Trim(), model, RagAnswerMode.Generated, "", Timings(started, retrievalMs, generationMs))
            {
                RelevanceFloor = floor,
            };
            yield break;
        }

        // Tokens already streamed cannot be taken back: the extractive answer follows them on a new paragraph.
        var extractive = BuildExtractiveAnswer(options, reason, question.Question, sources);
        var prefix = generated.Length == 0 ? "" : "\n\n";
        foreach (var chunk in WordChunks(prefix + extractive))
        {
            yield return new RagTokenEvent(chunk);
        }

        var full = generated.Length == 0 ? extractive : generated.ToString() + prefix + extractive;
        yield return new RagSummaryEvent(full, ExtractiveModel, RagAnswerMode.Extractive, reason,
            Timings(started, retrievalMs, Stopwatch.GetElapsedTime(generationStarted).TotalMilliseconds)) { RelevanceFloor = floor };
    }

    /// <summary>Per call: a ChatOptions instance may be changed by the client that receives it.</summary>
    private ChatOptions ChatOptions => new() { ModelId = _ollama.ChatModel };

    private static string NoModelReason => "no language model is configured (set Ollama:Url to use one)";

    /// <summary>The records at or above the relevance floor, the floor, and why there are none when there are none.</summary>
    private async Task<(IReadOnlyList<RagSource> Sources, double Floor, string NoContextReason)> RetrieveAsync(RagQuestion question, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var query = new VectorQuery
        {
            Text = question.Question,
            TopK = question.TopK,
            Filter = question.Filter,
            Namespace = question.Namespace,
            Include = Include.Default,
        };
        var matches = await store.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        var floor = await relevance.GetAsync(cancellationToken).ConfigureAwait(false);
        var sources = matches.Where(m => m.Score >= floor)
            .Select(m => new RagSource(m.Id, m.Score, m.Text, m.Metadata) { RawScore = m.RawScore })
            .ToList();
        Log.RagRetrieved(logger, sources.Count, ServingScope.Current?.StoreName ?? store.Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        // Stores return the k nearest records whatever their distance, so nothing at all means an empty (or misspelt)
        // namespace, or a filter nothing in it passes: say which, so a caller can fix the request.
        var reason = matches.Count == 0
            ? question.Filter is null
                ? $"namespace '{question.Namespace}' holds no records (ListNamespaces lists the namespaces)"
                : $"no record in namespace '{question.Namespace}' passes the filter"
            : string.Create(CultureInfo.InvariantCulture,
                $"no record reached the relevance floor {floor:0.###} (best score {matches.Max(m => m.Score):0.###})");
        return (sources, floor, reason);
    }

    private string BuildPrompt(RagOptions options, string question, IReadOnlyList<RagSource> sources)
    {
        var context = new StringBuilder();
        for (var i = 0; i < sources.Count; i++)
        {
            context.Append('[').Append(i + 1).Append("] ").Append(SourceText(sources[i])).Append('\n');
        }

        var prompt = options.PromptTemplate!
            .Replace("{context}", context.ToString().TrimEnd(), StringComparison.Ordinal)
            .Replace("{question}", question, StringComparison.Ordinal);
        Log.RagPrompt(logger, _ollama.ChatModel, prompt);
        return prompt;
    }

    private static string BuildExtractiveAnswer(RagOptions options, string reason, string question, IReadOnlyList<RagSource> sources) =>
        ExtractiveAnswer.Build(options.ExtractivePreamble.Replace("{reason}", reason, StringComparison.Ordinal), question, sources);

    private static string SourceText(RagSource source) => string.IsNullOrWhiteSpace(source.Text) ? $"(record {source.Id} has no text)" : source.Text.Trim();

    /// <summary>Splits text into word-sized chunks that concatenate back to the original.</summary>
    internal static IEnumerable<string> WordChunks(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            // A chunk ends after the whitespace that follows a word.
            if (i == text.Length || (char.IsWhiteSpace(text[i - 1]) && !char.IsWhiteSpace(text[i])))
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    /// <summary>A reason for answering extractively, or <c>null</c> when the exception must propagate (caller cancellation).</summary>
    private string? DescribeFailure(Exception exception, CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return null;
        }

        return exception switch
        {
            OperationCanceledException => $"Ollama at {_ollama.DisplayUrl} did not answer within {_ollama.Timeout.TotalSeconds:0.#}s",
            HttpRequestException { StatusCode: null } http => $"Ollama at {_ollama.DisplayUrl} is unreachable: {http.Message}",
            HttpRequestException { StatusCode: { } status } => $"Ollama at {_ollama.DisplayUrl} answered HTTP {(int)status} for model '{_ollama.ChatModel}'",
            _ => $"Ollama at {_ollama.DisplayUrl} failed: {exception.Message}",
        };
    }

    private static RagTimings Timings(long started, double retrievalMs, double generationMs) =>
        new(retrievalMs, generationMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
}
