namespace RagFood.Server.Logging;

/// <summary>The edge's hardening log lines (39xx, inside the RPC edge block): malformed input, rate limits, TLS and plaintext exposure.</summary>
internal static partial class Log
{
    [LoggerMessage(3900, LogLevel.Warning, "{Method} from {Peer} refused: malformed request ({Reason}); {Suppressed} similar request(s) from this peer not logged since the last line")]
    public static partial void RpcMalformedRequest(ILogger logger, string method, string peer, string reason, long suppressed);

    [LoggerMessage(3901, LogLevel.Warning, "Rate limit reached for {Partition} on {Method}; retry in {RetryAfterMs} ms ({Suppressed} more refusal(s) for this client not logged since the last line)")]
    public static partial void RpcRateLimited(ILogger logger, string partition, string method, long retryAfterMs, long suppressed);

    [LoggerMessage(3902, LogLevel.Warning, "Plaintext gRPC is exposed beyond loopback on {Url} (Edge:AllowNonLoopbackPlaintext = true): API keys and data cross the network unencrypted; configure Tls:* for anything but a trusted network")]
    public static partial void PlaintextExposed(ILogger logger, string url);

    [LoggerMessage(3903, LogLevel.Information, "TLS endpoint {Url} uses the certificate {Subject} (expires {NotAfter:u})")]
    public static partial void TlsEndpoint(ILogger logger, string url, string subject, DateTime notAfter);

    [LoggerMessage(3904, LogLevel.Warning, "{Count} more unusable item(s) in this ingestion not logged; the caller's answer lists every one")]
    public static partial void IngestionProblemsNotLogged(ILogger logger, int count);
}
