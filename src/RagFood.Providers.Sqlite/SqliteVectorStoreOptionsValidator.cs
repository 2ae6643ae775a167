using Microsoft.Extensions.Options;

namespace RagFood.Providers.Sqlite;

/// <summary>Checks <see cref="SqliteVectorStoreOptions"/> at start.</summary>
internal sealed class SqliteVectorStoreOptionsValidator : IValidateOptions<SqliteVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteVectorStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("VectorStore:Sqlite:Path must name a database file.");
        }
        else if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || options.Path.EndsWith('/') || options.Path.EndsWith('\\'))
        {
            failures.Add($"VectorStore:Sqlite:Path '{options.Path}' is not a valid file path.");
        }

        if (options.EmbeddingBatchSize is < 1 or > 1000)
        {
            failures.Add($"VectorStore:Sqlite:EmbeddingBatchSize must be between 1 and 1000 (was {options.EmbeddingBatchSize}).");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"VectorStore:Sqlite:BusyTimeout must be positive and at most 10 minutes (was {options.BusyTimeout}).");
        }

        if (options.MaxGroupCommitBatch is < 1 or > 4096)
        {
            failures.Add($"VectorStore:Sqlite:MaxGroupCommitBatch must be between 1 and 4096 (was {options.MaxGroupCommitBatch}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
