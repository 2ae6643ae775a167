using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace RagFood.Core.Usage;

/// <summary>Counts each embedding call to Ollama (<c>ollama</c> / <c>embed</c>, units = texts embedded).</summary>
public sealed class UsageCountingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IUsageLedger _ledger;
    private readonly string _store;

    /// <param name="innerGenerator">The generator counted.</param>
    /// <param name="ledger">Where calls are counted.</param>
    /// <param name="store">The name counted under; <see cref="OllamaOperations.Store"/> by default.</param>
    public UsageCountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, IUsageLedger ledger, string store = OllamaOperations.Store)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
        _store = store;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        _ledger.Record(_store, OllamaOperations.Embed, result.Count);
        return result;
    }
}

/// <summary>Counts each chat call to Ollama (<c>ollama</c> / <c>chat</c>, units = total tokens when the model reports them).</summary>
/// <remarks>A streamed answer is counted when the stream ends or is abandoned, with the tokens reported until then.</remarks>
public sealed class UsageCountingChatClient : DelegatingChatClient
{
    private readonly IUsageLedger _ledger;
    private readonly string _store;

    public UsageCountingChatClient(IChatClient innerClient, IUsageLedger ledger, string store = OllamaOperations.Store)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
        _store = store;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        _ledger.Record(_store, OllamaOperations.Chat, response.Usage?.TotalTokenCount ?? 0);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long tokens = 0;
        var answered = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                answered = true;
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    tokens += usage.Details.TotalTokenCount ?? 0;
                }

                yield return update;
            }
        }
        finally
        {
            if (answered)
            {
                _ledger.Record(_store, OllamaOperations.Chat, tokens);
            }
        }
    }
}
