using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Server.Grpc;
using RagFood.Server.Logging;
using GrpcStatus = Grpc.Core.Status;

namespace RagFood.Server.Edge;

/// <summary>Per-client token buckets (<see cref="RateLimitingOptions"/>) in front of the <c>ragfood.v1</c> services.</summary>
/// <remarks>Runs after the API-key check, so a partition is a key that was accepted (at most as many as are configured)
/// or, without keys, an IP address. A refusal is RESOURCE_EXHAUSTED with the retry delay in the trailers; its log line
/// is rate-limited per client like other refusals.</remarks>
internal sealed class RateLimitingInterceptor : AdmissionInterceptor, IDisposable
{
    internal const string RetryAfterTrailer = "retry-after-ms";
    private const string ProtectedPrefix = "/ragfood.v1.";
    private readonly RateLimitingOptions _options;
    private readonly bool _keysConfigured;
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly LogThrottle _logThrottle;
    private readonly ILogger<RateLimitingInterceptor> _logger;

    public RateLimitingInterceptor(
        IOptions<RateLimitingOptions> options, IOptions<AuthOptions> auth, IOptions<EdgeOptions> edge, TimeProvider timeProvider, ILogger<RateLimitingInterceptor> logger)
    {
        _options = options.Value;
        _keysConfigured = auth.Value.ApiKeys.Count > 0;
        _logger = logger;
        _logThrottle = new LogThrottle(edge.Value.RefusalLogInterval, timeProvider);
        if (_options.Enabled)
        {
            var (period, tokens) = Replenishment(_options.PermitsPerSecond);
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = _options.Burst,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
        }
    }

    public void Dispose() => _limiter?.Dispose();

    protected override void Admit(ServerCallContext context)
    {
        if (_limiter is null || !context.Method.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var ip = PeerAddress.IpOf(context);
        if (_options.ExemptLoopback && ip is not null && System.Net.IPAddress.IsLoopback(ip))
        {
            return;
        }

        var key = _keysConfigured && context.RequestHeaders.GetValue("authorization") is { Length: > 0 } authorization
            ? "key:" + authorization
            : "ip:" + (ip?.ToString() ?? "unknown");
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) && delay > TimeSpan.Zero ? delay : TimeSpan.FromSeconds(1);
        if (_logThrottle.ShouldLog(key, out var suppressed))
        {
            Log.RpcRateLimited(_logger, Describe(key), context.Method, (long)retryAfter.TotalMilliseconds, suppressed);
        }

        throw Refusal(retryAfter);
    }

    /// <summary>RESOURCE_EXHAUSTED with the delay as <c>retry-after-ms</c> and as <c>google.rpc.RetryInfo</c>.</summary>
    internal static RpcException Refusal(TimeSpan retryAfter)
    {
        var milliseconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds));
        var message = $"Rate limit reached for this client; retry in {milliseconds} ms.";
        var details = new Google.Rpc.Status
        {
            Code = (int)StatusCode.ResourceExhausted,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(milliseconds)) }) },
        };
        var trailers = new Metadata
        {
            { RetryAfterTrailer, milliseconds.ToString(CultureInfo.InvariantCulture) },
            { "grpc-status-details-bin", details.ToByteArray() },
        };
        return new RpcException(new GrpcStatus(StatusCode.ResourceExhausted, message), trailers);
    }

    /// <summary>How the bucket refills: in tenths of a second from 10 permits/s up, else one token at a time.</summary>
    internal static (TimeSpan Period, int Tokens) Replenishment(int permitsPerSecond) =>
        permitsPerSecond >= 10
            ? (TimeSpan.FromMilliseconds(100), (int)Math.Round(permitsPerSecond / 10.0))
            : (TimeSpan.FromSeconds(1.0 / permitsPerSecond), 1);

    /// <summary>A partition as it may be logged: the key never appears, only a short digest of it.</summary>
    private static string Describe(string key) =>
        key.StartsWith("key:", StringComparison.Ordinal)
            ? "API key sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12]
            : key["ip:".Length..];
}
