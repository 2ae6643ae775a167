using Microsoft.Extensions.Options;

namespace RagFood.Core.Durable;

/// <summary>Where a <see cref="DurableSideFile"/> lives (configuration section <c>VectorStore:Journal</c> for the
/// write journals).</summary>
public class DurableSideFileOptions
{
    /// <summary>The file. Default <c>data/ragfood-journal.db</c>.</summary>
    /// <remarks>Kept apart from any store's file so it can outlive, and be inspected without, the stores. A relative
    /// path is resolved against the current directory; the parent directory is created if missing. One process owns
    /// the file at a time.</remarks>
    public string Path { get; set; } = "data/ragfood-journal.db";

    /// <summary>How long to wait for a file locked by another process before failing. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Group commit for appends (<see cref="DurableSideFile.CommitAsync{T}"/>): concurrent appends share one
    /// transaction and one fsync, each acknowledged only once that commit is durable. Default true; false commits (and
    /// fsyncs) every append on its own.</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most appends committed together (1 to 4096). Default 256.</summary>
    public int MaxGroupCommitBatch { get; set; } = 256;
}

/// <summary>Settings of one <see cref="SqliteWriteJournal"/> that owns its file.</summary>
public sealed class SqliteWriteJournalOptions : DurableSideFileOptions
{
    /// <summary>The store whose pending writes this journal holds; "" for a journal with a single target.</summary>
    public string Target { get; set; } = "";
}

/// <summary>Checks <see cref="DurableSideFileOptions"/> at start.</summary>
public sealed class DurableSideFileOptionsValidator : IValidateOptions<DurableSideFileOptions>, IValidateOptions<SqliteWriteJournalOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DurableSideFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("VectorStore:Journal:Path must name a database file.");
        }
        else if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || options.Path.EndsWith('/') || options.Path.EndsWith('\\'))
        {
            failures.Add($"VectorStore:Journal:Path '{options.Path}' is not a valid file path.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"VectorStore:Journal:BusyTimeout must be positive and at most 10 minutes (was {options.BusyTimeout}).");
        }

        if (options.MaxGroupCommitBatch is < 1 or > 4096)
        {
            failures.Add($"VectorStore:Journal:MaxGroupCommitBatch must be between 1 and 4096 (was {options.MaxGroupCommitBatch}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SqliteWriteJournalOptions options) => Validate(name, (DurableSideFileOptions)options);
}
