using RagFood.Contracts.V1;

namespace RagFood.Client;

/// <summary>One event of a streamed answer (<see cref="RagFoodClient.AskStreamAsync(AskStreamRequest, CancellationToken)"/>).</summary>
/// <remarks>A well-formed stream is one <see cref="AnswerSourcesEvent"/>, zero or more <see cref="AnswerTokenEvent"/>s,
/// then one <see cref="AnswerSummaryEvent"/>. Match on the derived type.</remarks>
public abstract record AnswerEvent;

/// <summary>The records the answer is built from, sent before any token.</summary>
/// <param name="Sources">Retrieved records, best first, with scores in [0, 1].</param>
/// <param name="ServedBy">The store that served the retrieval.</param>
/// <param name="FallbackUsed">Whether the fallback store served it.</param>
public sealed record AnswerSourcesEvent(IReadOnlyList<Source> Sources, string ServedBy, bool FallbackUsed) : AnswerEvent;

/// <summary>A piece of the answer text, in order; concatenated they make the answer.</summary>
/// <param name="Text">The text piece.</param>
public sealed record AnswerTokenEvent(string Text) : AnswerEvent;

/// <summary>The end of the stream: the whole answer, how it was produced and how long it took.</summary>
/// <param name="Answer">The full answer text.</param>
/// <param name="Model">The chat model that wrote it, or "extractive".</param>
/// <param name="Mode">Generated, extractive or no-context.</param>
/// <param name="ModeReason">Why the answer is extractive, when it is.</param>
/// <param name="Timings">Retrieval, generation and total time in milliseconds (may be <c>null</c>).</param>
public sealed record AnswerSummaryEvent(string Answer, string Model, AnswerMode Mode, string ModeReason, Timings? Timings) : AnswerEvent;
