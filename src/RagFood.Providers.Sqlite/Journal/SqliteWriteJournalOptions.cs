using Microsoft.Extensions.Options;

namespace RagFood.Providers.Sqlite.Journal;

/// <summary>Settings of the durable write journal (configuration section <c>VectorStore:Journal</c>).</summary>
public sealed class SqliteWriteJournalOptions
{
    /// <summary>The journal's own database file. Default <c>data/ragfood-journal.db</c>.</summary>
    /// <remarks>Kept apart from any store's file so the journal can outlive, and be inspected without, the stores.
    /// A relative path is resolved against the current directory; the parent directory is created if missing.
    /// One process owns the file at a time: each RagFood instance keeps its own journal.</remarks>
    public string Path { get; set; } = "data/ragfood-journal.db";

    /// <summary>How long to wait for a file locked by another process before failing. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Checks <see cref="SqliteWriteJournalOptions"/> at start.</summary>
internal sealed class SqliteWriteJournalOptionsValidator : IValidateOptions<SqliteWriteJournalOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteWriteJournalOptions options)
    {
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
