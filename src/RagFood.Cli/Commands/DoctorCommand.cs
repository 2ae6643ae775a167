using System.CommandLine;
using System.Net;
using Grpc.Core;
using RagFood.Client;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood doctor</c>: what is wrong in the set-up, each problem with the setting that fixes it.</summary>
/// <remarks>The checks run in the server (the CheckSetup RPC), which alone knows the configuration in effect and can
/// reach the stores and Ollama from where they are used; the CLI adds what only the caller can see (a plaintext
/// address to another machine, an unreachable server, a refused key).</remarks>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the set-up (stores, credentials, embedding spaces, Ollama, journal, quotas, TLS, auth) and print how to fix each problem. Exits 6 when a problem is found.");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var local = new List<SetupFinding>();
            var address = session.Client.Address;
            if (address.Scheme == Uri.UriSchemeHttp && !IsLoopback(address.Host))
            {
                local.Add(Finding("client-tls", CheckSeverity.Warning,
                    $"{address.GetLeftPart(UriPartial.Authority)} is another machine over plaintext HTTP: questions and the API key travel in clear",
                    "--address", $"https://{address.Authority}"));
            }

            CheckSetupResponse response;
            try
            {
                response = await session.Client.CheckSetupAsync(token);
            }
            catch (RagFoodException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unauthenticated or StatusCode.Unimplemented)
            {
                local.Add(ex.StatusCode switch
                {
                    StatusCode.Unauthenticated => Finding("server", CheckSeverity.Problem, $"the server refused the API key: {ex.Detail}", "--api-key", $"<a key in the server's Auth:ApiKeys> (or env {GlobalOptions.ApiKeyVariable})"),
                    StatusCode.Unimplemented => Finding("server", CheckSeverity.Problem, "the server does not implement CheckSetup (an older version)", "", "update the server"),
                    _ => Finding("server", CheckSeverity.Problem, $"cannot reach RagFood at {address.GetLeftPart(UriPartial.Authority)}: {ex.Detail}", "--address",
                        $"<the server's URL> (or env {GlobalOptions.AddressVariable}); start one with: dotnet run --project src/RagFood.Server"),
                });
                response = new CheckSetupResponse();
            }

            for (var i = local.Count - 1; i >= 0; i--)
            {
                response.Findings.Insert(0, local[i]);
            }
            if (session.Json)
            {
                session.WriteJson(response);
            }
            else
            {
                await PrintAsync(session.Out, response);
            }

            return response.Findings.Any(f => f.Severity == CheckSeverity.Problem) ? ExitCodes.SetupProblems : ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static async Task PrintAsync(TextWriter output, CheckSetupResponse response)
    {
        foreach (var finding in response.Findings)
        {
            var mark = finding.Severity switch
            {
                CheckSeverity.Problem => "PROBLEM",
                CheckSeverity.Warning => "warning",
                _ => "ok",
            };
            await output.WriteLineAsync($"{mark,-8} {finding.Check,-16} {finding.Message}");
            if (finding.Severity == CheckSeverity.Ok || (finding.FixKey.Length == 0 && finding.FixValue.Length == 0))
            {
                continue;
            }

            if (finding.FixKey.StartsWith("--", StringComparison.Ordinal))
            {
                await output.WriteLineAsync($"{"",-8} {"",-16} fix: pass {finding.FixKey} {finding.FixValue}");
            }
            else if (finding.FixKey.Length == 0)
            {
                await output.WriteLineAsync($"{"",-8} {"",-16} fix: run {finding.FixValue}");
            }
            else
            {
                await output.WriteLineAsync($"{"",-8} {"",-16} fix: set {finding.FixKey} = {finding.FixValue}   (environment: {finding.FixKey.Replace(":", "__", StringComparison.Ordinal)})");
            }
        }

        var problems = response.Findings.Count(f => f.Severity == CheckSeverity.Problem);
        var warnings = response.Findings.Count(f => f.Severity == CheckSeverity.Warning);
        await output.WriteLineAsync();
        await output.WriteLineAsync(problems == 0 ? $"no problems ({warnings} warning(s))" : $"{problems} problem(s), {warnings} warning(s)");
    }

    private static SetupFinding Finding(string check, CheckSeverity severity, string message, string fixKey, string fixValue) =>
        new() { Check = check, Severity = severity, Message = message, FixKey = fixKey, FixValue = fixValue };

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
