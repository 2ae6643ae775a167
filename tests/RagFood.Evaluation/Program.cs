using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using RagFood.Core.Corpus;
using RagFood.Core.Embeddings;
using RagFood.Core.Retrieval;
using RagFood.Embeddings.Local;
using RagFood.Evaluation;
using RagFood.Providers.Sqlite;

// Retrieval-quality evaluation: every embedder and retrieval mode over data/foods.json and the questions of data/eval/ (the corpus
// is ingested once per embedder; each mode reopens that store file),
// through the real SQLite store. Usage (see docs/retrieval-quality.md):
//   dotnet run -c Release --project tests/RagFood.Evaluation -- [--embedders builtin,local] [--modes dense,hybrid]
//                                                                [--calibrate] [--misses] [--out FILE]
//                                                                [--ollama-url URL [--ollama-model M]]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = EvalOptions.Parse(args);
var root = EvalOptions.FindRepoRoot();
var evalDirectory = Path.Combine(root, "data", "eval");
var floorsPath = Path.Combine(evalDirectory, "relevance-floors.json");
var foods = (await FoodCorpusLoader.LoadFileAsync(Path.Combine(root, "data", "foods.json"))).Items;
var questions = EvalSet.Load(evalDirectory);
var floors = File.Exists(floorsPath) ? await RelevanceFloors.LoadAsync(floorsPath) : RelevanceFloors.Empty;

var report = new StringBuilder();
report.AppendLine($"{foods.Count} foods; {questions.Count} questions ({string.Join(", ", questions.GroupBy(q => q.Set).Select(g => $"{g.Key} {g.Count()}"))}); top {EvalRun.Depth} retrieved");
report.AppendLine();
report.AppendLine("| embedder | mode | recall@1 | recall@3 | MRR | floor | NO_CONTEXT precision | NO_CONTEXT recall | answerable cut off | ingest s | query ms |");
report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
var heldOut = new StringBuilder();
heldOut.AppendLine($"Calibration on the development questions, in-sample against held out ({EvalOptions.Folds}-fold: each fold scored at the floor calibrated on the other folds):");
heldOut.AppendLine();
heldOut.AppendLine("| embedder | mode | floor (in-sample) | NO_CONTEXT precision in / held out | NO_CONTEXT recall in / held out | answerable cut off in / held out | fold floors |");
heldOut.AppendLine("|---|---|---|---|---|---|---|");
var blind = new StringBuilder();
blind.AppendLine("Blind held-out set (heldout-*.json; never used to tune), at the floor calibrated on the development questions alone, against the development set:");
blind.AppendLine();
blind.AppendLine("| embedder | mode | recall@1 dev / blind | recall@3 dev / blind | MRR dev / blind | misses@3 dev / blind | floor (dev) | NO_CONTEXT recall dev / blind | answerable cut off dev / blind |");
blind.AppendLine("|---|---|---|---|---|---|---|---|---|");
var details = new StringBuilder();
foreach (var embedderName in options.Embedders)
{
    var loadStarted = Stopwatch.GetTimestamp();
    using var embedder = CreateEmbedder(embedderName, options);
    await embedder.GenerateAsync(["warm-up"]);
    var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
    details.AppendLine($"{embedderName}: model loaded and first text embedded in {loadSeconds:F2} s");
    var directory = Directory.CreateTempSubdirectory("ragfood-eval-");
    try
    {
        var (storePath, ingestSeconds) = await EvalRun.IngestAsync(embedder, foods, directory.FullName, CancellationToken.None);
        foreach (var mode in options.Modes)
        {
            var run = await EvalRun.ExecuteAsync(embedderName, embedder, mode, storePath, ingestSeconds, questions, CancellationToken.None);
            var answerable = run.Answerable.ToList();
            var offTopic = run.OffTopic.ToList();
            if (options.Calibrate && mode == SqliteRetrievalMode.Auto)
            {
                // Calibrated on the development questions only: the blind held-out set must never tune anything.
                var tuning = answerable.Where(r => !r.Question.IsHeldOut).ToList();
                var tuningOffTopic = offTopic.Where(r => !r.Question.IsHeldOut).ToList();
                var floor = EvalMetrics.Calibrate(tuning, tuningOffTopic, EvalOptions.MaxCutOff);
                floors = floors.With(new RelevanceFloor(run.Space.Model, run.Space.Dimension, floor,
                    $"calibrated by tests/RagFood.Evaluation on {tuning.Count} answerable and {tuningOffTopic.Count} off-topic development questions, {DateTime.UtcNow:yyyy-MM-dd}"));
            }
    
            var recorded = EvalMetrics.Recorded(floors, run) ?? 0;
            var m = EvalMetrics.Compute(answerable, offTopic, recorded);
            report.AppendLine($"| {run.Embedder} ({run.Space.Model}) | {run.Mode} | {m.RecallAt1:F3} | {m.RecallAt3:F3} | {m.Mrr:F3} | {m.Floor:F4} | {m.NoContextPrecision:F3} | {m.NoContextRecall:F3} | {m.AnswerableCutOff:P1} | {run.IngestSeconds:F1} | {run.QueryMsMean:F1} |");
            var h = EvalMetrics.CrossValidate(answerable.Where(r => !r.Question.IsHeldOut).ToList(), offTopic.Where(r => !r.Question.IsHeldOut).ToList(), EvalOptions.MaxCutOff, EvalOptions.Folds);
            heldOut.AppendLine($"| {run.Embedder} | {run.Mode} | {m.Floor:F4} | {m.NoContextPrecision:F3} / {h.NoContextPrecision:F3} | {m.NoContextRecall:F3} / {h.NoContextRecall:F3} | {m.AnswerableCutOff:P1} / {h.AnswerableCutOff:P1} | {h.MinFloor:F4}–{h.MaxFloor:F4} |");
            var devAnswerable = answerable.Where(r => !r.Question.IsHeldOut).ToList();
            var devOffTopic = offTopic.Where(r => !r.Question.IsHeldOut).ToList();
            var blindAnswerable = answerable.Where(r => r.Question.IsHeldOut).ToList();
            var blindOffTopic = offTopic.Where(r => r.Question.IsHeldOut).ToList();
            if (blindAnswerable.Count > 0)
            {
                var devFloor = EvalMetrics.Calibrate(devAnswerable, devOffTopic, EvalOptions.MaxCutOff);
                var d = EvalMetrics.Compute(devAnswerable, devOffTopic, devFloor);
                var b = EvalMetrics.Compute(blindAnswerable, blindOffTopic, devFloor);
                blind.AppendLine($"| {run.Embedder} | {run.Mode} | {d.RecallAt1:F3} / {b.RecallAt1:F3} | {d.RecallAt3:F3} / {b.RecallAt3:F3} | {d.Mrr:F3} / {b.Mrr:F3} | {d.MissesAt3} of {d.Answerable} / {b.MissesAt3} of {b.Answerable} | {devFloor:F4} | {d.NoContextRecall:F3} / {b.NoContextRecall:F3} | {d.AnswerableCutOff:P1} / {b.AnswerableCutOff:P1} |");
            }

            foreach (var kind in offTopic.GroupBy(r => r.Question.Kind ?? "unmarked"))
            {
                details.AppendLine($"  {embedderName}/{run.Mode} off-topic {kind.Key}: NO_CONTEXT recall {kind.Count(r => r.TopScore < recorded) / (double)kind.Count():F3} ({kind.Count()} questions)");
            }
    
            foreach (var set in answerable.GroupBy(r => r.Question.Set))
            {
                var s = EvalMetrics.Compute(set.ToList(), [], 0);
                details.AppendLine($"  {embedderName}/{run.Mode} {set.Key}: recall@1 {s.RecallAt1:F3}, recall@3 {s.RecallAt3:F3} ({set.Count()} questions)");
            }
    
            details.AppendLine($"  {embedderName}/{run.Mode} top score: answerable min {answerable.Min(r => r.TopScore):F4}, off-topic max {offTopic.Max(r => r.TopScore):F4}");
            if (options.Dump is { } dumpPath)
            {
                await File.AppendAllLinesAsync(dumpPath, run.Results.Select(r => System.Text.Json.JsonSerializer.Serialize(new
                {
                    embedder = embedderName, mode = run.Mode, set = r.Question.Set, question = r.Question.Question, rank = r.Rank, scores = r.Scores,
                })));
            }
    
            if (options.Misses)
            {
                foreach (var miss in answerable.Where(r => r.Rank is 0 or > 3 || r.TopScore < recorded))
                {
                    details.AppendLine($"    MISS {miss.Question.Set}: \"{miss.Question.Question}\" want {string.Join("/", miss.Question.ExpectedIds)} rank {miss.Rank} top {miss.TopScore:F4}: {string.Join(", ", miss.Ids.Take(3))}");
                }
    
                foreach (var hit in offTopic.Where(r => r.TopScore >= recorded))
                {
                    details.AppendLine($"    ANSWERED off-topic: \"{hit.Question.Question}\" top {hit.TopScore:F4}: {string.Join(", ", hit.Ids.Take(3))}");
                }
            }
        }
    }
    finally
    {
        directory.Delete(recursive: true);
    }
}

if (options.Calibrate)
{
    await floors.SaveAsync(floorsPath);
    details.AppendLine($"floors written to {floorsPath}");
}

var text = report.ToString() + Environment.NewLine + heldOut + Environment.NewLine + blind + Environment.NewLine + details;
Console.WriteLine(text);
if (options.Out is { } outPath)
{
    await File.WriteAllTextAsync(outPath, text);
}

return 0;

static IEmbeddingGenerator<string, Embedding<float>> CreateEmbedder(string name, EvalOptions options) => name switch
{
    "builtin" => new HashingEmbeddingGenerator(),
    "local" => new ArcticEmbeddingGenerator(),
    // As the server embeds with Ollama: the question as it is, no prefix.
    "ollama" => new OllamaSharp.OllamaApiClient(options.OllamaUrl!, options.OllamaModel),
    _ => throw new ArgumentException($"Unknown embedder '{name}' (builtin, local, ollama)."),
};
