using Microsoft.Extensions.Options;

namespace RagFood.Server.Rag;

/// <summary><c>Rag:*</c>: retrieval defaults and the texts the pipeline answers with.</summary>
public sealed class RagOptions
{
    public const string SectionName = "Rag";

    /// <summary>Records retrieved when a request leaves top_k at 0.</summary>
    public int DefaultTopK { get; set; } = 3;

    /// <summary>The relevance floor for embedding spaces with no calibrated floor, and for every space when
    /// <see cref="UseRelevanceFloors"/> is false: retrieved records scoring below it are dropped (0 keeps all).</summary>
    public double MinScore { get; set; }

    /// <summary>Whether the floors calibrated per embedding space (<see cref="RelevanceFloorsFile"/>) apply. Default true.</summary>
    public bool UseRelevanceFloors { get; set; } = true;

    /// <summary>The calibrated floors, relative to the application's base directory (see docs/retrieval-quality.md).</summary>
    public string RelevanceFloorsFile { get; set; } = "data/relevance-floors.json";

    /// <summary>File holding the prompt template, relative to the application's base directory.</summary>
    public string PromptTemplateFile { get; set; } = "Prompts/rag-answer.txt";

    /// <summary>The prompt template itself; when empty it is read from <see cref="PromptTemplateFile"/>.
    /// Must contain <c>{context}</c> and <c>{question}</c>.</summary>
    public string? PromptTemplate { get; set; }

    /// <summary>The answer when nothing relevant was retrieved.</summary>
    public string NoContextAnswer { get; set; } = "I found no relevant food in the knowledge base for that question.";

    /// <summary>First line of an extractive answer; <c>{reason}</c> says why no model wrote it.</summary>
    public string ExtractivePreamble { get; set; } = "Extractive answer, quoted from the knowledge base because {reason}:";
}

/// <summary>Loads the prompt template from its file when it is not given inline.</summary>
internal sealed class RagOptionsSetup : IPostConfigureOptions<RagOptions>
{
    public void PostConfigure(string? name, RagOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PromptTemplate) || string.IsNullOrWhiteSpace(options.PromptTemplateFile))
        {
            return;
        }

        var path = Path.IsPathRooted(options.PromptTemplateFile)
            ? options.PromptTemplateFile
            : Path.Combine(AppContext.BaseDirectory, options.PromptTemplateFile);
        if (File.Exists(path))
        {
            options.PromptTemplate = File.ReadAllText(path);
        }
    }
}

internal sealed class RagOptionsValidator : IValidateOptions<RagOptions>
{
    public const int MaxTopK = 20;

    public ValidateOptionsResult Validate(string? name, RagOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultTopK is < 1 or > MaxTopK)
        {
            failures.Add($"Rag:DefaultTopK must be between 1 and {MaxTopK} (default 3).");
        }

        if (options.MinScore is < 0 or > 1)
        {
            failures.Add("Rag:MinScore must be between 0 and 1.");
        }

        if (string.IsNullOrWhiteSpace(options.PromptTemplate))
        {
            failures.Add($"No prompt template: set Rag:PromptTemplate or make Rag:PromptTemplateFile ('{options.PromptTemplateFile}') exist.");
        }
        else if (!options.PromptTemplate.Contains("{context}", StringComparison.Ordinal) || !options.PromptTemplate.Contains("{question}", StringComparison.Ordinal))
        {
            failures.Add("The prompt template must contain the placeholders {context} and {question}.");
        }

        if (string.IsNullOrWhiteSpace(options.NoContextAnswer))
        {
            failures.Add("Rag:NoContextAnswer must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
