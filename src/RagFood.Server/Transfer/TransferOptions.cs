using Microsoft.Extensions.Options;

namespace RagFood.Server.Transfer;

/// <summary>Migration settings (section <c>Migration</c>).</summary>
public sealed class MigrationOptions
{
    public const string SectionName = "Migration";

    /// <summary>Directory of the checkpoint file and the verification reports; relative to the content root. Default <c>migration</c>.</summary>
    public string Directory { get; set; } = "migration";

    /// <summary>Directories in which transfer requests may name files (export, restore, chroma_db, corpus, questions,
    /// reports); relative entries resolve against the content root. Empty (the default): the content root only. A path
    /// outside them is refused with PERMISSION_DENIED, over gRPC and HTTP/JSON alike.</summary>
    public IList<string> AllowedDirectories { get; } = [];

    /// <summary>Questions for the text-mode overlap check when a request names none (skipped when the file is absent).</summary>
    public string QuestionsPath { get; set; } = "data/eval/questions.json";

    /// <summary>Attempts per batch on transient target failures, after the store's own retries.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First backoff delay between those attempts (doubled each time, at most 15 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Scheduled export (section <c>Backup</c>): the plan's daily backup. Off unless <see cref="Interval"/> is set.</summary>
public sealed class BackupOptions
{
    public const string SectionName = "Backup";

    /// <summary>Time between exports of the primary store; null or zero = no scheduled export.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>Where the export files go (relative to the content root). Default <c>backups</c>.</summary>
    public string Directory { get; set; } = "backups";

    /// <summary>How many export files to keep; older ones are deleted after a successful export.</summary>
    public int Keep { get; set; } = 7;

    /// <summary>Gzip the files (<c>.jsonl.gz</c>).</summary>
    public bool Gzip { get; set; } = true;
}

internal sealed class MigrationOptionsValidator : IValidateOptions<MigrationOptions>
{
    public ValidateOptionsResult Validate(string? name, MigrationOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add("Migration:Directory must name a directory.");
        }

        if (options.MaxAttempts is < 1 or > 50)
        {
            failures.Add("Migration:MaxAttempts must be between 1 and 50.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add("Migration:RetryDelay must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        var failures = new List<string>();
        if (options.Interval is { } interval && interval < TimeSpan.Zero)
        {
            failures.Add("Backup:Interval must not be negative.");
        }

        if (options.Interval is { } set && set > TimeSpan.Zero && set < TimeSpan.FromSeconds(1))
        {
            failures.Add("Backup:Interval must be at least one second.");
        }

        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add("Backup:Directory must name a directory.");
        }

        if (options.Keep < 1)
        {
            failures.Add("Backup:Keep must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
