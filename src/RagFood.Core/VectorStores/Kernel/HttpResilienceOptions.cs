namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The resilience settings every HTTP-backed store shares, with the same names and defaults (Upstash, Chroma,
/// and any store added later).</summary>
/// <remarks>
/// <para>Every request goes through, outermost first: a total <see cref="Timeout"/>; retries (<see cref="MaxRetries"/>,
/// jittered exponential back-off from <see cref="RetryDelay"/>, honouring <c>Retry-After</c>) on transport errors,
/// attempt timeouts, 408, 429 and 5xx; a store's own extra layer (Upstash's client-side rate limiter); a circuit
/// breaker (<c>Breaker…</c>); and the per-attempt <see cref="AttemptTimeout"/>. 400, 401, 403, 404, 409 and 422 are
/// never retried. See <see cref="HttpResiliencePipeline"/>.</para>
/// <para>Configuration keys are the property names under the store's section, e.g. <c>VectorStore:Chroma:MaxRetries</c>.</para>
/// </remarks>
public abstract class HttpResilienceOptions
{
    /// <summary>Total time for one operation's request, retries and back-off included. Default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for one HTTP attempt; a value over <see cref="Timeout"/> is cut to it. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt (0 disables retrying; at most 20). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the jittered exponential back-off. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Fraction of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the circuit. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the sampling window before the breaker may open (at least 2). Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window the breaker's failure ratio is measured over. Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit rejects calls before letting one through to probe. Default 15 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Adds a message naming the setting (<c>{section}:{Name}</c>) for every resilience setting out of range.</summary>
    public void Validate(string section, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Timeout must be positive.");
        }

        if (AttemptTimeout < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"{section}:AttemptTimeout must be at least 10 ms.");
        }

        if (MaxRetries is < 0 or > 20)
        {
            failures.Add($"{section}:MaxRetries must be between 0 and 20.");
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{section}:RetryDelay must not be negative.");
        }

        if (BreakerFailureRatio is <= 0 or > 1 || double.IsNaN(BreakerFailureRatio))
        {
            failures.Add($"{section}:BreakerFailureRatio must be in (0, 1].");
        }

        if (BreakerMinimumThroughput < 2)
        {
            failures.Add($"{section}:BreakerMinimumThroughput must be at least 2.");
        }

        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{section}:BreakerSamplingDuration and BreakerBreakDuration must be at least 500 ms.");
        }
    }
}
