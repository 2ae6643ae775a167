using System.CommandLine;
using System.Security.Authentication;
using Google.Protobuf;
using Grpc.Core;
using RagFood.Client;

namespace RagFood.Cli;

/// <summary>What a command needs while it runs: the client, the output mode and the writers.</summary>
internal sealed class CliSession(RagFoodClient client, bool json, TimeSpan timeout, bool hasApiKey, TextWriter output, TextWriter error)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public RagFoodClient Client => client;

    public bool Json => json;

    public TimeSpan Timeout => timeout;

    public TextWriter Out => output;

    public TextWriter Error => error;

    /// <summary>Writes a protobuf message as one line of JSON (proto3 JSON mapping, defaults included).</summary>
    public void WriteJson(IMessage message) => Out.WriteLine(Formatter.Format(message));

    /// <summary>Compact JSON of a metadata struct, "" when there is none.</summary>
    public static string Metadata(Google.Protobuf.WellKnownTypes.Struct? metadata)
        => metadata is null || metadata.Fields.Count == 0 ? "" : JsonFormatter.Default.Format(metadata);

    /// <summary>Runs a command body with a client built from the global options, mapping failures to one line on
    /// stderr and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<CliSession, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var address = parse.GetValue(GlobalOptions.Address) ?? "";
        var apiKey = parse.GetValue(GlobalOptions.ApiKey);
        var timeout = TimeSpan.FromSeconds(parse.GetValue(GlobalOptions.Timeout));

        RagFoodClient client;
        try
        {
            client = RagFoodClient.Create(address, o =>
            {
                o.ApiKey = apiKey;
                o.DefaultDeadline = timeout;
                o.MaxRetries = 2;
            });
        }
        catch (ArgumentException)
        {
            await error.WriteLineAsync($"ragfood: invalid --address '{address}': expected an absolute http:// or https:// URL with host and port only, e.g. {RagFoodClientOptions.DefaultAddress.OriginalString}");
            return ExitCodes.Usage;
        }

        using (client)
        {
            var session = new CliSession(client, parse.GetValue(GlobalOptions.Json), timeout, !string.IsNullOrEmpty(apiKey), output, error);
            try
            {
                return await body(session, cancellationToken);
            }
            catch (RagFoodException ex)
            {
                return session.Report(ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("ragfood: cancelled");
                return ExitCodes.Cancelled;
            }
        }
    }

    /// <summary>Writes one line saying what failed and what to do about it; returns the exit code.</summary>
    public int Report(RagFoodException ex)
    {
        var (message, code) = Describe(ex);
        Error.WriteLine("ragfood: " + message);
        return code;
    }

    private (string Message, int Code) Describe(RagFoodException ex)
    {
        var at = ex.Address.GetLeftPart(UriPartial.Authority);
        var transportFailure = ex.InnerException is RpcException { Status.DebugException: not null };
        return ex.StatusCode switch
        {
            _ when TlsFailure(ex) is { } tls =>
                ($"cannot open a TLS connection to RagFood at {at}: {tls.Message} Trust the server's certificate (its CA in the system store; " +
                 "on Linux, for one command, SSL_CERT_FILE=<ca.pem>), or use the server's plaintext loopback address.", ExitCodes.Unavailable),
            StatusCode.Unavailable when transportFailure =>
                ($"cannot reach RagFood at {at}: is the server running? Start it with 'dotnet run --project src/RagFood.Server' or point --address / {GlobalOptions.AddressVariable} at it. ({ex.Detail})",
                 ExitCodes.Unavailable),
            StatusCode.Unavailable => ($"RagFood at {at} is unavailable: {ex.Detail}", ExitCodes.Unavailable),
            StatusCode.DeadlineExceeded =>
                ($"RagFood at {at} did not answer within {Timeout.TotalSeconds:0.###} s; raise --timeout or check the server.", ExitCodes.Unavailable),
            StatusCode.Unauthenticated when !hasApiKey =>
                ($"RagFood at {at} requires an API key: pass --api-key or set {GlobalOptions.ApiKeyVariable}. ({ex.Detail})", ExitCodes.Unauthenticated),
            StatusCode.Unauthenticated => ($"RagFood at {at} rejected the API key: {ex.Detail}", ExitCodes.Unauthenticated),
            StatusCode.PermissionDenied => ($"permission denied: {ex.Detail}", ExitCodes.Unauthenticated),
            StatusCode.InvalidArgument or StatusCode.OutOfRange => ($"invalid argument: {ex.Detail}", ExitCodes.InvalidArgument),
            StatusCode.FailedPrecondition => ($"cannot do that now: {ex.Detail}", ExitCodes.InvalidArgument),
            StatusCode.Unimplemented => ($"RagFood at {at} does not implement this call (older server?): {ex.Detail}", ExitCodes.Other),
            _ => ($"{ex.StatusCode}: {ex.Detail}", ExitCodes.Other),
        };
    }

    /// <summary>The TLS handshake failure (an untrusted or mismatched certificate) behind a failed call, if that is what it was.</summary>
    /// <remarks>Grpc.Net.Client reports it as <c>Internal</c> "Error starting gRPC call", which reads like a server fault.</remarks>
    private static AuthenticationException? TlsFailure(RagFoodException ex)
    {
        for (var e = (ex.InnerException as RpcException)?.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException tls)
            {
                return tls;
            }
        }

        return null;
    }
}
