using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RagFood.Server.Edge;

namespace RagFood.Server.Grpc;

/// <summary>Requires <c>authorization: Bearer &lt;key&gt;</c> on the <c>ragfood.v1</c> services when API keys are configured.</summary>
/// <remarks>Health and reflection stay open so that probes and tools work without a key. Keys are compared in constant time
/// (over their SHA-256 digests, so that the length does not leak either) and re-read on configuration reload. Refusals are
/// logged at most once per peer and <see cref="EdgeOptions.RefusalLogInterval"/>.</remarks>
internal sealed class ApiKeyInterceptor(IOptionsMonitor<AuthOptions> options, RefusalLog refusals) : AdmissionInterceptor
{
    private const string ProtectedPrefix = "/ragfood.v1.";
    private const string BearerPrefix = "Bearer ";

    protected override void Admit(ServerCallContext context)
    {
        var keys = options.CurrentValue.ApiKeys;
        if (keys.Count == 0 || !context.Method.StartsWith(ProtectedPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(header))
        {
            refusals.Unauthenticated(PeerAddress.Of(context), context.Method, "no authorization header");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "This server requires an API key: send the metadata 'authorization: Bearer <key>'."));
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || !Matches(header[BearerPrefix.Length..].Trim(), keys))
        {
            refusals.Unauthenticated(PeerAddress.Of(context), context.Method, "API key not accepted");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The API key was not accepted; send 'authorization: Bearer <key>' with a current key."));
        }
    }

    private static bool Matches(string presented, List<string> keys)
    {
        var presentedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            // No early exit: every key is compared, so timing does not tell which one (or whether any) matched.
            match |= CryptographicOperations.FixedTimeEquals(presentedDigest, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }
}
