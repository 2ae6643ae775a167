using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Server.Edge;
using RagFood.Server.Logging;

namespace RagFood.Server.Grpc;

/// <summary>The Warning for an RPC that failed in a store, at most once per store, kind and
/// <c>Edge:RefusalLogInterval</c>, with the number held back since the last line: a store that is down fails every
/// request, and one line per request would bury the breaker's own state-change lines.</summary>
internal sealed class StoreFailureLog(IOptions<EdgeOptions> options, TimeProvider timeProvider, ILogger<StoreFailureLog> logger)
{
    private readonly LogThrottle _throttle = new(options.Value.RefusalLogInterval, timeProvider);

    public void Failed(string method, VectorStoreException failure)
    {
        var kind = failure.Kind.ToString();
        if (_throttle.ShouldLog(failure.StoreName + "\n" + kind, out var suppressed))
        {
            Log.RpcStoreFailure(logger, method, failure.StoreName, kind, failure.Message, suppressed);
        }
    }
}
