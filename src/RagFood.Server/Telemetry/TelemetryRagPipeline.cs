using System.Diagnostics;
using System.Runtime.CompilerServices;
using RagFood.Core.Telemetry;
using RagFood.Server.Rag;

namespace RagFood.Server.Telemetry;

/// <summary>Wraps the RAG pipeline in a <c>rag.ask</c> span (with the answer's mode, model and source count), the parent
/// of the retrieval, store, embedding and chat spans below it.</summary>
internal sealed class TelemetryRagPipeline(IRagPipeline inner) : IRagPipeline
{
    public async Task<RagAnswer> AskAsync(RagQuestion question, CancellationToken cancellationToken)
    {
        using var activity = Start(question, streamed: false);
        try
        {
            var answer = await inner.AskAsync(question, cancellationToken).ConfigureAwait(false);
            Complete(activity, answer.Mode, answer.Model, answer.Sources.Count);
            return answer;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    public async IAsyncEnumerable<RagStreamEvent> AskStreamAsync(RagQuestion question, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = Start(question, streamed: true);
        var sources = 0;
        await foreach (var item in inner.AskStreamAsync(question, cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case RagSourcesEvent s:
                    sources = s.Sources.Count;
                    activity?.AddEvent(new ActivityEvent("sources"));
                    break;
                case RagSummaryEvent summary:
                    Complete(activity, summary.Mode, summary.Model, sources);
                    break;
            }

            yield return item;
        }
    }

    private static Activity? Start(RagQuestion question, bool streamed)
    {
        var activity = RagFoodTelemetry.ActivitySource.StartActivity("rag.ask", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("ragfood.rag.streamed", streamed);
            activity.SetTag("ragfood.query.top_k", question.TopK);
            activity.SetTag("ragfood.query.filtered", question.Filter is not null);
            activity.SetTag("db.namespace", question.Namespace);
        }

        return activity;
    }

    private static void Complete(Activity? activity, RagAnswerMode mode, string model, int sources)
    {
        activity?.SetTag("ragfood.rag.mode", mode.ToString());
        activity?.SetTag("gen_ai.request.model", model);
        activity?.SetTag("ragfood.records", sources);
    }
}
