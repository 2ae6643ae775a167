namespace RagFood.Client;

/// <summary>Where and how <see cref="RagFoodClient"/> reaches a RagFood server.</summary>
/// <remarks>
/// Validated when the client is created (and at host start when registered with
/// <c>AddRagFoodClient</c>):
/// an absolute <c>http</c>/<c>https</c> address, a positive deadline, 0 to 9 retries and ordered backoffs.
/// A plaintext <c>http://</c> address speaks HTTP/2 with prior knowledge, as the server's plaintext endpoint expects.
/// </remarks>
public sealed class RagFoodClientOptions
{
    /// <summary>The address the server listens on when nothing else is configured.</summary>
    public static readonly Uri DefaultAddress = new("http://127.0.0.1:50051");

    /// <summary>Server address, e.g. <c>http://127.0.0.1:50051</c>. Required; defaults to <see cref="DefaultAddress"/>.</summary>
    public Uri? Address { get; set; } = DefaultAddress;

    /// <summary>API key sent as <c>authorization: Bearer &lt;key&gt;</c> on every call; <c>null</c> or empty sends none.</summary>
    /// <remarks>The key is never included in exception messages or logs.</remarks>
    public string? ApiKey { get; set; }

    /// <summary>Deadline applied to every call that does not carry its own; <c>null</c> means no deadline.</summary>
    /// <remarks>For <see cref="RagFoodClient.AskStreamAsync(RagFood.Contracts.V1.AskStreamRequest, CancellationToken)"/>
    /// the deadline covers the whole stream. Default 30 seconds.</remarks>
    public TimeSpan? DefaultDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a call that failed with <c>Unavailable</c> is retried (0 disables retries). Default 3.</summary>
    /// <remarks>Retries follow gRPC's service-config retry policy: only calls that received no response headers are
    /// retried, with exponential backoff and jitter between <see cref="InitialBackoff"/> and <see cref="MaxBackoff"/>.</remarks>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Backoff before the first retry. Default 200 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the backoff between retries. Default 2 seconds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many times a call refused by the server's rate limit (<c>ResourceExhausted</c> with a retry delay) is
    /// sent again after the delay the server asked for (0 disables). Default 2.</summary>
    /// <remarks>Only delays up to <see cref="MaxRateLimitDelay"/> are waited for; a longer one (or a quota that is simply
    /// used up, which carries no delay) fails at once with <see cref="RagFoodException.RetryAfter"/> set.</remarks>
    public int RateLimitRetries { get; set; } = 2;

    /// <summary>Longest server-requested delay the client waits before sending a rate-limited call again. Default 5 seconds.</summary>
    public TimeSpan MaxRateLimitDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message the client accepts from the server, in bytes. Default 16 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;
}
