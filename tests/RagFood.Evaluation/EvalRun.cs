using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFood.Core.Corpus;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite;

namespace RagFood.Evaluation;

/// <summary>What one question retrieved: ids in rank order and the best score among them.</summary>
internal sealed record QuestionResult(EvalQuestion Question, IReadOnlyList<string> Ids, IReadOnlyList<double> Scores)
{
    /// <summary>The best score retrieved (0 when nothing was).</summary>
    public double TopScore => Scores.Count == 0 ? 0 : Scores.Max();

    /// <summary>1-based rank of the first expected id, or 0 when none was retrieved.</summary>
    public int Rank
    {
        get
        {
            for (var i = 0; i < Ids.Count; i++)
            {
                if (Question.ExpectedIds.Contains(Ids[i]))
                {
                    return i + 1;
                }
            }

            return 0;
        }
    }
}

/// <summary>One embedder and retrieval mode over the whole corpus and question set, through the real SQLite store.</summary>
internal sealed record EvalRun(string Embedder, string Mode, EmbeddingSpace Space, IReadOnlyList<QuestionResult> Results, double IngestSeconds, double QueryMsMean)
{
    public const int Depth = 10;

    /// <summary>Ingests <paramref name="foods"/> once into a new store file with <paramref name="embedder"/>; every
    /// retrieval mode is then run on that same file (<see cref="ExecuteAsync"/>), so the corpus is embedded once per
    /// embedder, not once per mode.</summary>
    public static async Task<(string Path, double IngestSeconds)> IngestAsync(
        IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<FoodItem> foods, string directory, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(directory, "eval.db");
        await using var store = new SqliteVectorStore(Options.Create(new SqliteVectorStoreOptions { Path = path }), embedder);
        var started = Stopwatch.GetTimestamp();
        foreach (var batch in foods.Chunk(100))
        {
            var records = batch.Select(f => new VectorRecord(f.Id) { Text = f.EnrichedText, Metadata = f.ToMetadata() }).ToList();
            await store.UpsertAsync(new UpsertRequest(records), cancellationToken);
        }

        return (path, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Asks every question of <paramref name="questions"/> of the store file at <paramref name="path"/>
    /// (made by <see cref="IngestAsync"/> with the same embedder), opened in retrieval mode <paramref name="mode"/>.</summary>
    public static async Task<EvalRun> ExecuteAsync(
        string embedderName, IEmbeddingGenerator<string, Embedding<float>> embedder, SqliteRetrievalMode mode, string path, double ingestSeconds,
        IReadOnlyList<EvalQuestion> questions, CancellationToken cancellationToken)
    {
        await using var store = new SqliteVectorStore(Options.Create(new SqliteVectorStoreOptions { Path = path, Retrieval = mode }), embedder);
        var info = await store.GetInfoAsync(cancellationToken);
        var results = new List<QuestionResult>(questions.Count);
        var started = Stopwatch.GetTimestamp();
        foreach (var question in questions)
        {
            var matches = await store.QueryAsync(new VectorQuery
            {
                Text = question.Question,
                TopK = Depth,
                Filter = question.Filter,
                Include = Include.None,
            }, cancellationToken);
            results.Add(new QuestionResult(question, matches.Select(m => m.Id).ToList(), matches.Select(m => (double)m.Score).ToList()));
        }

        var queryMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds / Math.Max(1, questions.Count);
        return new EvalRun(embedderName, mode.ToString().ToLowerInvariant(), info.Space, results, ingestSeconds, queryMs);
    }

    public IEnumerable<QuestionResult> Answerable => Results.Where(r => !r.Question.IsOffTopic);

    public IEnumerable<QuestionResult> OffTopic => Results.Where(r => r.Question.IsOffTopic);
}
