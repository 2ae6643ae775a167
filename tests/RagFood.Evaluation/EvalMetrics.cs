using RagFood.Core.Retrieval;

namespace RagFood.Evaluation;

/// <summary>The figures of one run at one relevance floor.</summary>
internal sealed record EvalMetrics(
    int Answerable, int OffTopic, double RecallAt1, double RecallAt3, double Mrr, double Floor,
    double NoContextPrecision, double NoContextRecall, double AnswerableCutOff)
{
    /// <summary>Answerable questions whose answer is not in the top 3.</summary>
    public int MissesAt3 => (int)Math.Round(Answerable * (1 - RecallAt3));

    /// <summary>Recall and MRR count every answerable question before the floor; the floor decides NO_CONTEXT
    /// (a question is NO_CONTEXT when no match scores at or above it, as in the RAG pipeline).</summary>
    public static EvalMetrics Compute(IReadOnlyList<QuestionResult> answerable, IReadOnlyList<QuestionResult> offTopic, double floor)
    {
        var n = Math.Max(1, answerable.Count);
        var recall1 = answerable.Count(r => r.Rank == 1) / (double)n;
        var recall3 = answerable.Count(r => r.Rank is >= 1 and <= 3) / (double)n;
        var mrr = answerable.Sum(r => r.Rank == 0 ? 0 : 1.0 / r.Rank) / n;
        var cutAnswerable = answerable.Count(r => r.TopScore < floor);
        var cutOffTopic = offTopic.Count(r => r.TopScore < floor);
        var noContext = cutAnswerable + cutOffTopic;
        return new EvalMetrics(answerable.Count, offTopic.Count, recall1, recall3, mrr, floor,
            noContext == 0 ? 1 : cutOffTopic / (double)noContext,
            offTopic.Count == 0 ? 1 : cutOffTopic / (double)offTopic.Count,
            cutAnswerable / (double)n);
    }

    /// <summary>The floor that turns away the most off-topic questions while cutting off at most
    /// <paramref name="maxCutOff"/> of the answerable ones, placed midway between the two nearest scores so that it is
    /// not balanced on one question.</summary>
    public static double Calibrate(IReadOnlyList<QuestionResult> answerable, IReadOnlyList<QuestionResult> offTopic, double maxCutOff)
    {
        var good = answerable.Select(r => r.TopScore).Order().ToArray();
        var bad = offTopic.Select(r => r.TopScore).Order().ToArray();
        if (good.Length == 0)
        {
            return 0;
        }

        // Cutting the k lowest answerable questions is allowed; the floor may rise up to the (k+1)-th lowest score.
        var allowed = (int)Math.Floor(maxCutOff * good.Length);
        var ceiling = good[Math.Min(allowed, good.Length - 1)];
        var rejected = bad.Where(s => s < ceiling).ToArray();
        if (rejected.Length == 0)
        {
            return 0;
        }

        var below = Math.Max(rejected[^1], allowed == 0 ? 0 : good[allowed - 1]);
        return (below + ceiling) / 2;
    }

    /// <summary>Honest figures for the calibration rule: the answerable and the off-topic questions are each dealt into
    /// <paramref name="folds"/> folds (question i goes to fold i mod folds, so every set and kind is spread over all of
    /// them), and each fold is scored at the floor <see cref="Calibrate">calibrated</see> on the other folds alone.</summary>
    public static HeldOutMetrics CrossValidate(IReadOnlyList<QuestionResult> answerable, IReadOnlyList<QuestionResult> offTopic, double maxCutOff, int folds)
    {
        int cutAnswerable = 0, cutOffTopic = 0;
        var floors = new List<double>();
        for (var fold = 0; fold < folds; fold++)
        {
            var f = fold;
            var floor = Calibrate(
                answerable.Where((_, i) => i % folds != f).ToList(), offTopic.Where((_, i) => i % folds != f).ToList(), maxCutOff);
            floors.Add(floor);
            cutAnswerable += answerable.Where((r, i) => i % folds == f && r.TopScore < floor).Count();
            cutOffTopic += offTopic.Where((r, i) => i % folds == f && r.TopScore < floor).Count();
        }

        var noContext = cutAnswerable + cutOffTopic;
        return new HeldOutMetrics(folds, floors.Min(), floors.Max(),
            noContext == 0 ? 1 : cutOffTopic / (double)noContext,
            offTopic.Count == 0 ? 1 : cutOffTopic / (double)offTopic.Count,
            cutAnswerable / (double)Math.Max(1, answerable.Count));
    }

    /// <summary>The floor recorded for the run's space, or <c>null</c>.</summary>
    public static double? Recorded(RelevanceFloors floors, EvalRun run) => floors.Find(run.Space)?.Floor;
}

/// <summary>NO_CONTEXT figures with every question scored at a floor calibrated without it.</summary>
internal sealed record HeldOutMetrics(int Folds, double MinFloor, double MaxFloor, double NoContextPrecision, double NoContextRecall, double AnswerableCutOff);
