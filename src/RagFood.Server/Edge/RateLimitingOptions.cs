using Microsoft.Extensions.Options;

namespace RagFood.Server.Edge;

/// <summary><c>RateLimiting:*</c>: a token bucket per client for the <c>ragfood.v1</c> services.</summary>
/// <remarks>A client is its API key when keys are configured (<c>Auth:ApiKeys</c>), else its IP address. Health and
/// reflection are never limited. A refused call is RESOURCE_EXHAUSTED with the delay after which a token is back, in
/// the trailers <c>retry-after-ms</c> and <c>grpc-status-details-bin</c> (<c>google.rpc.RetryInfo</c>).</remarks>
public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Off switch. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Tokens added per second per client (the sustained rate). Default 100.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Bucket size: how many calls a client may make at once after being idle. Default 200.</summary>
    public int Burst { get; set; } = 200;

    /// <summary>Calls from loopback addresses (the machine itself: a local CLI, a sidecar, a benchmark) are not limited.
    /// Default true. Behind a reverse proxy on the same machine every caller looks like loopback: set false and configure
    /// API keys, so that each key is its own client.</summary>
    public bool ExemptLoopback { get; set; } = true;
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.PermitsPerSecond < 1)
        {
            failures.Add("RateLimiting:PermitsPerSecond must be at least 1 (or set RateLimiting:Enabled = false).");
        }

        if (options.Burst < 1)
        {
            failures.Add("RateLimiting:Burst must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
