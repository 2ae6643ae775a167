using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Server.Logging;

namespace RagFood.Server.Edge;

/// <summary>Rate-limited Warnings for refusals a hostile peer can cause at will: malformed messages, refused API keys.</summary>
internal sealed class RefusalLog
{
    private readonly ILogger<RefusalLog> _logger;
    private readonly LogThrottle _malformed;
    private readonly LogThrottle _unauthenticated;

    public RefusalLog(IOptions<EdgeOptions> options, TimeProvider timeProvider, ILogger<RefusalLog> logger)
    {
        _logger = logger;
        _malformed = new LogThrottle(options.Value.RefusalLogInterval, timeProvider);
        _unauthenticated = new LogThrottle(options.Value.RefusalLogInterval, timeProvider);
    }

    public void Malformed(string peer, string method, string reason)
    {
        if (_malformed.ShouldLog(peer, out var suppressed))
        {
            Log.RpcMalformedRequest(_logger, method, peer, reason, suppressed);
        }
    }

    public void Unauthenticated(string peer, string method, string reason)
    {
        if (_unauthenticated.ShouldLog(peer, out var suppressed))
        {
            Log.RpcUnauthenticated(_logger, method, peer, reason, suppressed);
        }
    }
}
