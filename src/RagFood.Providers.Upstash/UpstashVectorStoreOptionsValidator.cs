using Microsoft.Extensions.Options;

namespace RagFood.Providers.Upstash;

/// <summary>Validates <see cref="UpstashVectorStoreOptions"/> at start; messages name the setting, never the token.</summary>
public sealed class UpstashVectorStoreOptionsValidator : IValidateOptions<UpstashVectorStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstashVectorStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            failures.Add("VectorStore:Upstash:Url is required (or set UPSTASH_VECTOR_REST_URL, or put it in .env).");
        }
        else if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("VectorStore:Upstash:Url must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add("VectorStore:Upstash:Token is required (or set UPSTASH_VECTOR_REST_TOKEN, or put it in .env).");
        }

        if (options.BatchSize is < 1 or > UpstashVectorStoreOptions.MaxBatchSize)
        {
            failures.Add($"VectorStore:Upstash:BatchSize must be between 1 and {UpstashVectorStoreOptions.MaxBatchSize}, was {options.BatchSize}.");
        }

        options.Validate("VectorStore:Upstash", failures);
        if (options.RequestsPerSecond < 0 || double.IsNaN(options.RequestsPerSecond))
        {
            failures.Add("VectorStore:Upstash:RequestsPerSecond must be 0 (unlimited) or positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
