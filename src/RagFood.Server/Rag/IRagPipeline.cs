namespace RagFood.Server.Rag;

/// <summary>Retrieval-augmented answering: retrieve, prompt, generate (or extract), with sources.</summary>
/// <remarks>
/// An answer is always grounded: with no retrieved record it is the explicit "no relevant food" answer, and when no
/// language model is configured or it fails or times out, the answer is extractive and says why.
/// Store failures and caller cancellation propagate; only the language model's failures are absorbed.
/// </remarks>
internal interface IRagPipeline
{
    Task<RagAnswer> AskAsync(RagQuestion question, CancellationToken cancellationToken);

    /// <summary>Streams one sources event, then answer tokens, then one summary event.</summary>
    IAsyncEnumerable<RagStreamEvent> AskStreamAsync(RagQuestion question, CancellationToken cancellationToken);
}
