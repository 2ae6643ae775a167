using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>Builds the one resilience pipeline of an HTTP-backed store from its <see cref="HttpResilienceOptions"/>.</summary>
/// <remarks>Providers call it from their <c>AddResilienceHandler</c> registration; it needs only Polly.Core, so the
/// kernel stays free of ASP.NET and HTTP-client packages. The caller's cancellation is never retried.</remarks>
public static class HttpResiliencePipeline
{
    /// <summary>Adds total timeout, retry, <paramref name="extra"/> (e.g. a rate limiter), breaker and attempt timeout.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, HttpResilienceOptions options,
        Action<ResiliencePipelineBuilder<HttpResponseMessage>>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        pipeline.AddTimeout(options.Timeout);
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            });
        }

        extra?.Invoke(pipeline);
        pipeline.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = options.BreakerMinimumThroughput,
            SamplingDuration = options.BreakerSamplingDuration,
            BreakDuration = options.BreakerBreakDuration,
        });
        pipeline.AddTimeout(options.AttemptTimeout < options.Timeout ? options.AttemptTimeout : options.Timeout);
    }

    /// <summary>Transport errors, attempt timeouts, 408, 429 and 5xx: worth another attempt.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransient(response.StatusCode),
        _ => false,
    };

    /// <summary>408, 429 and 5xx.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var retryAfter = response?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta && delta >= TimeSpan.Zero)
        {
            return delta;
        }

        return retryAfter?.Date is { } date && date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : null;
    }
}
