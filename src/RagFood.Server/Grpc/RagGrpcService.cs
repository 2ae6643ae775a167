using Grpc.Core;
using Microsoft.Extensions.Options;
using RagFood.Contracts.V1;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Rag;

namespace RagFood.Server.Grpc;

/// <summary>Ask and AskStream: validate, map to the pipeline, map back.</summary>
internal sealed class RagGrpcService(IRagPipeline pipeline, VectorStoreTopology topology, IOptionsMonitor<RagOptions> options)
    : RagService.RagServiceBase
{
    public override async Task<AskResponse> Ask(AskRequest request, ServerCallContext context)
    {
        var question = ToQuestion(request.Question, request.TopK, request.Filter, request.Namespace);
        using var scope = ServingScope.Begin();
        var answer = await pipeline.AskAsync(question, context.CancellationToken).ConfigureAwait(false);
        var serving = ServingInfo.From(scope, topology);
        var response = new AskResponse
        {
            Answer = answer.Answer,
            ServedBy = serving.ServedBy,
            FallbackUsed = serving.FallbackUsed,
            Model = answer.Model,
            Mode = ToProto(answer.Mode),
            ModeReason = answer.ModeReason,
            Timings = ToProto(answer.Timings),
            RelevanceFloor = (float)answer.RelevanceFloor,
        };
        response.Sources.AddRange(answer.Sources.Select(ToProto));
        return response;
    }

    public override async Task AskStream(AskStreamRequest request, IServerStreamWriter<AskStreamResponse> responseStream, ServerCallContext context)
    {
        var question = ToQuestion(request.Question, request.TopK, request.Filter, request.Namespace);
        using var scope = ServingScope.Begin();
        await foreach (var item in pipeline.AskStreamAsync(question, context.CancellationToken).ConfigureAwait(false))
        {
            var message = item switch
            {
                RagSourcesEvent sources => new AskStreamResponse { Sources = ToProto(sources, ServingInfo.From(scope, topology)) },
                RagTokenEvent token => new AskStreamResponse { Token = new TokenEvent { Text = token.Text } },
                RagSummaryEvent summary => new AskStreamResponse
                {
                    Summary = new SummaryEvent
                    {
                        Answer = summary.Answer,
                        Model = summary.Model,
                        Mode = ToProto(summary.Mode),
                        ModeReason = summary.ModeReason,
                        Timings = ToProto(summary.Timings),
                        RelevanceFloor = (float)summary.RelevanceFloor,
                    },
                },
                _ => throw new InvalidOperationException($"Unknown stream event {item.GetType().Name}."),
            };
            await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private RagQuestion ToQuestion(string question, int topK, string filter, string @namespace) => new(
        RequestLimits.Question(question),
        RequestLimits.TopK(topK, options.CurrentValue.DefaultTopK, RequestLimits.MaxAskTopK),
        RequestLimits.Filter(filter),
        RequestLimits.Namespace(@namespace));

    private static SourcesEvent ToProto(RagSourcesEvent sources, ServingInfo serving)
    {
        var result = new SourcesEvent { ServedBy = serving.ServedBy, FallbackUsed = serving.FallbackUsed };
        result.Sources.AddRange(sources.Sources.Select(ToProto));
        return result;
    }

    private static Source ToProto(RagSource source)
    {
        var result = new Source
        {
            Id = source.Id,
            Score = source.Score,
            Text = source.Text ?? "",
            Metadata = StructMapping.ToStruct(source.Metadata),
        };
        if (source.RawScore is { } raw)
        {
            result.RawScore = raw;
        }

        return result;
    }

    private static Timings ToProto(RagTimings timings) => new()
    {
        RetrievalMs = timings.RetrievalMs,
        GenerationMs = timings.GenerationMs,
        TotalMs = timings.TotalMs,
    };

    private static AnswerMode ToProto(RagAnswerMode mode) => mode switch
    {
        RagAnswerMode.Generated => AnswerMode.Generated,
        RagAnswerMode.Extractive => AnswerMode.Extractive,
        RagAnswerMode.NoContext => AnswerMode.NoContext,
        _ => AnswerMode.Unspecified,
    };
}
