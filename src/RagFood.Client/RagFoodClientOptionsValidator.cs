using Microsoft.Extensions.Options;

namespace RagFood.Client;

/// <summary>Checks <see cref="RagFoodClientOptions"/> before a channel is built from them.</summary>
internal sealed class RagFoodClientOptionsValidator : IValidateOptions<RagFoodClientOptions>
{
    internal const int MaxRetriesLimit = 9;

    public ValidateOptionsResult Validate(string? name, RagFoodClientOptions options)
    {
        var failures = new List<string>();
        if (options.Address is null)
        {
            failures.Add("RagFood client: Address is required (e.g. http://127.0.0.1:50051).");
        }
        else if (!options.Address.IsAbsoluteUri || (options.Address.Scheme != Uri.UriSchemeHttp && options.Address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"RagFood client: Address '{options.Address.OriginalString}' must be an absolute http:// or https:// URI (e.g. http://127.0.0.1:50051).");
        }
        else if (options.Address.AbsolutePath != "/" || !string.IsNullOrEmpty(options.Address.Query))
        {
            failures.Add($"RagFood client: Address '{options.Address.OriginalString}' must be scheme, host and port only, without a path or query.");
        }

        if (options.DefaultDeadline is { } deadline && deadline <= TimeSpan.Zero)
        {
            failures.Add("RagFood client: DefaultDeadline must be positive (or null for no deadline).");
        }

        if (options.MaxRetries is < 0 or > MaxRetriesLimit)
        {
            failures.Add($"RagFood client: MaxRetries must be between 0 and {MaxRetriesLimit}.");
        }

        if (options.InitialBackoff <= TimeSpan.Zero)
        {
            failures.Add("RagFood client: InitialBackoff must be positive.");
        }

        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add("RagFood client: MaxBackoff must be at least InitialBackoff.");
        }

        if (options.RateLimitRetries is < 0 or > MaxRetriesLimit)
        {
            failures.Add($"RagFood client: RateLimitRetries must be between 0 and {MaxRetriesLimit}.");
        }

        if (options.MaxRateLimitDelay < TimeSpan.Zero)
        {
            failures.Add("RagFood client: MaxRateLimitDelay must not be negative.");
        }

        if (options.MaxReceiveMessageSize <= 0)
        {
            failures.Add("RagFood client: MaxReceiveMessageSize must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
