using Microsoft.Extensions.Options;

namespace RagFood.Providers.Upstash;

/// <summary>Settings of the Upstash Vector store (configuration section <c>VectorStore:Upstash</c>).</summary>
/// <remarks>
/// <para><see cref="Url"/> and <see cref="Token"/> fall back to the conventional <c>UPSTASH_VECTOR_REST_URL</c> /
/// <c>UPSTASH_VECTOR_REST_TOKEN</c> environment variables, then to a <c>.env</c> file in the working directory
/// (filled in by <see cref="UpstashServiceCollectionExtensions"/>, not by the store).</para>
/// <para>Resilience: every request goes through, outermost first, a total <see cref="Timeout"/>, retries
/// (<see cref="MaxRetries"/>, jittered exponential backoff from <see cref="RetryDelay"/>, honouring Retry-After) on
/// transport errors, timeouts, 408, 429 and 5xx, the client-side rate limiter (<see cref="RequestsPerSecond"/>),
/// a circuit breaker, and the per-attempt <see cref="AttemptTimeout"/>. 400, 401, 404 and 422 are never retried.</para>
/// </remarks>
public sealed class UpstashVectorStoreOptions
{
    /// <summary>The configuration section the server binds.</summary>
    public const string SectionName = "VectorStore:Upstash";

    /// <summary>Upstash's documented upper bound on vectors per upsert request.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The index's REST URL (<c>https://&lt;name&gt;-&lt;region&gt;-vector.upstash.io</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The index's REST token (read-write, or read-only for a query-only deployment). Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>The Upstash namespace used where callers pass RagFood's default namespace <c>""</c>.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Total time for one operation's request, retries and backoff included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt (0 disables retrying).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential backoff.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Records per upsert request; at most <see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Client-side request rate limit (requests per second, retries included); 0 = unlimited.</summary>
    /// <remarks>Set it to stay under a plan's quota during bulk work such as a migration; waiting for a permit
    /// counts against <see cref="Timeout"/>.</remarks>
    public double RequestsPerSecond { get; set; }

    /// <summary>Fraction of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the breaker may open (at least 2).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit rejects calls before letting one through to probe.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

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

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("VectorStore:Upstash:Timeout must be positive.");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10) || options.AttemptTimeout > options.Timeout)
        {
            failures.Add("VectorStore:Upstash:AttemptTimeout must be at least 10 ms and no longer than Timeout.");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add("VectorStore:Upstash:MaxRetries must be between 0 and 20.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add("VectorStore:Upstash:RetryDelay must not be negative.");
        }

        if (options.RequestsPerSecond < 0 || double.IsNaN(options.RequestsPerSecond))
        {
            failures.Add("VectorStore:Upstash:RequestsPerSecond must be 0 (unlimited) or positive.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add("VectorStore:Upstash:BreakerFailureRatio must be in (0, 1].");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            failures.Add("VectorStore:Upstash:BreakerMinimumThroughput must be at least 2.");
        }

        if (options.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || options.BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add("VectorStore:Upstash:BreakerSamplingDuration and BreakerBreakDuration must be at least 500 ms.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
