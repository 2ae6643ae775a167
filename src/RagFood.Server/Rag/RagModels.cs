using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Server.Rag;

/// <summary>A question for the pipeline, already validated.</summary>
internal sealed record RagQuestion(string Question, int TopK, MetadataFilter? Filter, string Namespace);

/// <summary>A retrieved record the answer is grounded in.</summary>
internal sealed record RagSource(string Id, float Score, string? Text, JsonElement? Metadata)
{
    /// <summary>The store's own value before conversion to <see cref="Score"/>, when it gives one.</summary>
    public double? RawScore { get; init; }
}

/// <summary>How an answer was produced.</summary>
internal enum RagAnswerMode
{
    Generated,
    Extractive,
    NoContext,
}

internal sealed record RagTimings(double RetrievalMs, double GenerationMs, double TotalMs);

/// <summary>A complete answer. <see cref="ModeReason"/> is "" for generated answers.</summary>
internal sealed record RagAnswer(string Answer, IReadOnlyList<RagSource> Sources, string Model, RagAnswerMode Mode, string ModeReason, RagTimings Timings)
{
    /// <summary>The relevance floor retrieved records had to reach.</summary>
    public double RelevanceFloor { get; init; }
}

/// <summary>An event of a streamed answer: one <see cref="RagSourcesEvent"/>, then tokens, then one <see cref="RagSummaryEvent"/>.</summary>
internal abstract record RagStreamEvent;

internal sealed record RagSourcesEvent(IReadOnlyList<RagSource> Sources) : RagStreamEvent;

internal sealed record RagTokenEvent(string Text) : RagStreamEvent;

internal sealed record RagSummaryEvent(string Answer, string Model, RagAnswerMode Mode, string ModeReason, RagTimings Timings) : RagStreamEvent
{
    /// <summary>The relevance floor retrieved records had to reach.</summary>
    public double RelevanceFloor { get; init; }
}
