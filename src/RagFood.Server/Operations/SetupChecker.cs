using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RagFood.Core.Usage;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Server.Grpc;
using RagFood.Server.Health;
using RagFood.Server.Transfer;

namespace RagFood.Server.Operations;

/// <summary>How serious a set-up finding is.</summary>
internal enum FindingSeverity
{
    Ok,
    Warning,
    Problem,
}

/// <summary>One result of <see cref="SetupChecker"/>: what was checked, what is wrong, and the setting that fixes it.</summary>
/// <param name="Check">What was checked ("store:upstash", "ollama", ...).</param>
/// <param name="Severity">Ok, Warning or Problem.</param>
/// <param name="Message">What was found.</param>
/// <param name="FixKey">The configuration key to set, or "" when the fix is a command (then in <paramref name="FixValue"/>).</param>
/// <param name="FixValue">A value for <paramref name="FixKey"/>, or the command to run.</param>
internal sealed record SetupCheckResult(string Check, FindingSeverity Severity, string Message, string FixKey = "", string FixValue = "");

/// <summary>Checks the running server's set-up the way <c>ragfood doctor</c> reports it: each configured store is reachable
/// and accepts its credentials, primary and fallback share an embedding space, Ollama answers and has its models, the
/// write journal holds nothing parked, no daily quota is near its end, the health probes do not eat a large share of a
/// daily read quota, transfer requests cannot reach the whole filesystem, and a server reachable from other machines
/// uses TLS and API keys.</summary>
/// <remarks>Runs inside the server so that it sees the configuration actually in effect (appsettings, environment,
/// <c>.env</c>, command line) from the server's own network position. Each store gets 5 s; nothing here changes data.</remarks>
internal sealed class SetupChecker(
    IServiceProvider services,
    IStoreComposition composition,
    IOptions<OllamaOptions> ollama,
    IOptions<EmbeddingOptions> embeddings,
    IOptions<AuthOptions> auth,
    IUsageLedger ledger,
    IOptions<HealthOptions> health,
    TransferPathPolicy transferPaths,
    IServer server)
{
    /// <summary>Above this share of a store's daily read quota, the health probes alone earn a warning.</summary>
    private const double ProbeShareWarning = 0.25;

    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The composition current now, so a check after a rollback by configuration checks the new stores.</summary>
    private VectorStoreTopology Topology => composition.Current.Topology;

    public async Task<IReadOnlyList<SetupCheckResult>> CheckAsync(CancellationToken cancellationToken)
    {
        var findings = new List<SetupCheckResult>();
        var primary = await CheckStoreAsync(Topology.PrimaryName, findings, cancellationToken).ConfigureAwait(false);
        if (Topology.FallbackName.Length > 0)
        {
            var fallback = await CheckStoreAsync(Topology.FallbackName, findings, cancellationToken).ConfigureAwait(false);
            if (primary is not null && fallback is not null)
            {
                findings.Add(CheckSpaces(primary, fallback));
            }
        }

        findings.Add(await CheckOllamaAsync(cancellationToken).ConfigureAwait(false));
        await CheckJournalAsync(findings, cancellationToken).ConfigureAwait(false);
        CheckQuotas(findings);
        CheckProbeCost(findings);
        CheckExposure(findings);
        CheckTransferPaths(findings);
        return findings;
    }

    private async Task<VectorStoreInfo?> CheckStoreAsync(string name, List<SetupCheckResult> findings, CancellationToken cancellationToken)
    {
        var check = "store:" + name;
        var store = services.GetRequiredKeyedService<IVectorStore>(name);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StoreTimeout);
        try
        {
            var info = await store.GetInfoAsync(timeout.Token).ConfigureAwait(false);
            findings.Add(new SetupCheckResult(check, FindingSeverity.Ok,
                $"{name} answers: {info.VectorCount} records, {info.Dimension} dimensions, model {info.EmbeddingModel}"));
            return info;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            findings.Add(Unreachable(check, name, $"{name} did not answer within {StoreTimeout.TotalSeconds:0} s"));
        }
        catch (VectorStoreException ex) when (ex.Kind == VectorStoreErrorKind.Unauthenticated)
        {
            findings.Add(new SetupCheckResult(check, FindingSeverity.Problem, $"{name} rejected the credentials: {ex.Message}",
                CredentialKey(name), "<the REST token from the store's console>"));
        }
        catch (VectorStoreException ex)
        {
            findings.Add(Unreachable(check, name, $"{name} failed ({ex.Kind}): {ex.Message}"));
        }

        return null;
    }

    private static SetupCheckResult Unreachable(string check, string name, string message) => name switch
    {
        "upstash" => new(check, FindingSeverity.Problem, message, "VectorStore:Upstash:Url", "https://<your-index>.upstash.io"),
        "chroma" => new(check, FindingSeverity.Problem, message, "VectorStore:Chroma:Url", "http://127.0.0.1:8000"),
        "sqlite" => new(check, FindingSeverity.Problem, message, "VectorStore:Sqlite:Path", "data/ragfood.db"),
        _ => new(check, FindingSeverity.Problem, message),
    };

    private static string CredentialKey(string name) => name switch
    {
        "upstash" => "VectorStore:Upstash:Token",
        "chroma" => "VectorStore:Chroma:Token",
        _ => $"VectorStore:{name}:Token",
    };

    private SetupCheckResult CheckSpaces(VectorStoreInfo primary, VectorStoreInfo fallback)
    {
        var same = primary.Dimension == fallback.Dimension
            && string.Equals(primary.EmbeddingModel, fallback.EmbeddingModel, StringComparison.OrdinalIgnoreCase);
        if (same)
        {
            return new SetupCheckResult("embedding-space", FindingSeverity.Ok,
                $"{Topology.PrimaryName} and {Topology.FallbackName} share {primary.EmbeddingModel} ({primary.Dimension} dimensions)");
        }

        return new SetupCheckResult("embedding-space", FindingSeverity.Problem,
            $"{Topology.PrimaryName} is in {primary.EmbeddingModel} ({primary.Dimension} d) but {Topology.FallbackName} is in " +
            $"{fallback.EmbeddingModel} ({fallback.Dimension} d): text queries cannot fall back between them. Make the models agree, or turn fallback off",
            "VectorStore:Fallback", "none");
    }

    private async Task<SetupCheckResult> CheckOllamaAsync(CancellationToken cancellationToken)
    {
        var options = ollama.Value;
        if (!options.IsConfigured)
        {
            return embeddings.Value.Provider == EmbeddingProvider.Ollama
                ? new SetupCheckResult("ollama", FindingSeverity.Problem, "Embeddings:Provider is Ollama but no Ollama is configured", "Ollama:Url", "http://127.0.0.1:11434")
                : new SetupCheckResult("ollama", FindingSeverity.Warning, "no language model is configured: answers are extractive", "Ollama:Url", "http://127.0.0.1:11434");
        }

        var status = services.GetService<OllamaProbeStatus>();
        if (status is null)
        {
            return new SetupCheckResult("ollama", FindingSeverity.Warning, $"Ollama at {options.DisplayUrl} has not been probed");
        }

        OllamaProbeResult result;
        try
        {
            result = await status.Result.WaitAsync(options.Timeout + StoreTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new SetupCheckResult("ollama", FindingSeverity.Warning, $"the probe of Ollama at {options.DisplayUrl} has not finished yet; run doctor again");
        }

        if (!result.Reachable)
        {
            return new SetupCheckResult("ollama", FindingSeverity.Problem,
                $"Ollama at {options.DisplayUrl} was not reachable at start ({result.Error}); start it (`ollama serve`) or point the server at it",
                "Ollama:Url", "http://127.0.0.1:11434");
        }

        return result.MissingModels.Count == 0
            ? new SetupCheckResult("ollama", FindingSeverity.Ok, $"Ollama {result.Version} at {options.DisplayUrl} has {options.ChatModel}{(embeddings.Value.Provider == EmbeddingProvider.Ollama ? " and " + options.EmbeddingModel : "")}")
            : new SetupCheckResult("ollama", FindingSeverity.Problem,
                $"Ollama at {options.DisplayUrl} does not have {string.Join(" and ", result.MissingModels)} (the server re-checks only at start)",
                "", string.Join("; ", result.MissingModels.Select(m => $"ollama pull {m}")));
    }

    private async Task CheckJournalAsync(List<SetupCheckResult> findings, CancellationToken cancellationToken)
    {
        if (Topology.WriteMode != WriteMode.Dual || services.GetService<IWriteJournal>() is not { } journal)
        {
            return;
        }

        var counts = await journal.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        findings.Add(counts switch
        {
            { Parked: > 0 } => new SetupCheckResult("journal", FindingSeverity.Problem,
                $"{counts.Parked} journaled write(s) are parked (the other store refused them) and {counts.Pending} pending: those writes are missing from one store; read the server log (parked reason) and re-send them",
                "", "ragfood info"),
            { Pending: > 0 } => new SetupCheckResult("journal", FindingSeverity.Warning,
                $"{counts.Pending} journaled write(s) wait to be replayed into the other store (it is down or catching up)"),
            _ => new SetupCheckResult("journal", FindingSeverity.Ok, "the write journal is empty"),
        });
    }

    private void CheckQuotas(List<SetupCheckResult> findings)
    {
        // Stores this server uses, or that were called today; a default plan for an unused store is not news.
        var used = ledger.GetReport().Stores.Where(s =>
            (s.DailyReadLimit > 0 || s.DailyWriteLimit > 0)
            && (s.Store == Topology.PrimaryName || s.Store == Topology.FallbackName || s.Today.Reads + s.Today.Writes > 0));
        foreach (var usage in used)
        {
            var check = "quota:" + usage.Store;
            var reads = usage.ReadQuotaUsed >= usage.WriteQuotaUsed;
            var key = $"Usage:Plans:{usage.Store}:{(reads ? "DailyReadLimit" : "DailyWriteLimit")}";
            var limit = reads ? usage.DailyReadLimit : usage.DailyWriteLimit;
            var detail = $"{usage.Store} used {usage.Today.Reads} of {usage.DailyReadLimit} reads and {usage.Today.Writes} of {usage.DailyWriteLimit} writes today";
            findings.Add(usage.State switch
            {
                QuotaState.Exceeded => new SetupCheckResult(check, FindingSeverity.Problem,
                    detail + ": the daily quota is spent and calls may be refused until midnight UTC; upgrade the plan and set its limit", key, (limit * 10).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                QuotaState.Warning => new SetupCheckResult(check, FindingSeverity.Warning, detail + ": 80 % of a daily quota is used", key, (limit * 10).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                _ => new SetupCheckResult(check, FindingSeverity.Ok, detail),
            });
        }
    }

    /// <summary>A probe is a billed read: on an idle server every store is probed once per interval, all day.</summary>
    private void CheckProbeCost(List<SetupCheckResult> findings)
    {
        var interval = health.Value.ProbeInterval;
        var perDay = (long)Math.Ceiling(TimeSpan.FromDays(1) / interval);
        foreach (var name in new[] { Topology.PrimaryName, Topology.FallbackName }.Where(n => n.Length > 0))
        {
            var limit = ledger.RemainingToday(name).DailyReadLimit;
            if (limit <= 0)
            {
                continue;
            }

            var share = (double)perDay / limit;
            var message = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"health probes of {name} take up to {perDay} reads a day ({share:P0} of its {limit} daily reads) at Health:ProbeInterval {interval}; a probe is skipped while real traffic answers");
            var suggested = TimeSpan.FromSeconds(Math.Ceiling(TimeSpan.FromDays(1).TotalSeconds / (limit * 0.05)));
            findings.Add(share > ProbeShareWarning
                ? new SetupCheckResult("probes:" + name, FindingSeverity.Warning, message, "Health:ProbeInterval", suggested.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
                : new SetupCheckResult("probes:" + name, FindingSeverity.Ok, message));
        }
    }

    /// <summary>Transfer requests read and write files on the server; a filesystem root as an allowed directory lets them reach any file.</summary>
    private void CheckTransferPaths(List<SetupCheckResult> findings)
    {
        var roots = transferPaths.Allowed.Where(d => Path.GetPathRoot(d) is { } root && string.Equals(Path.TrimEndingDirectorySeparator(root), Path.TrimEndingDirectorySeparator(d), StringComparison.OrdinalIgnoreCase)).ToList();
        findings.Add(roots.Count > 0
            ? new SetupCheckResult("transfer-paths", FindingSeverity.Warning,
                $"Migration:AllowedDirectories includes {string.Join(", ", roots)}: transfer requests may read and write any file the server's user may",
                "Migration:AllowedDirectories:0", "<the directory that holds your exports and chroma_db copies>")
            : new SetupCheckResult("transfer-paths", FindingSeverity.Ok, $"transfer requests may use files under {string.Join(", ", transferPaths.Allowed)}"));
    }

    private void CheckExposure(List<SetupCheckResult> findings)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Select(a => Uri.TryCreate(a.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Where(uri => !IsLoopback(uri.Host))
            .ToList();
        var keys = auth.Value.ApiKeys.Count;
        if (exposed.Count == 0)
        {
            findings.Add(new SetupCheckResult("tls", FindingSeverity.Ok, "the server listens on loopback only"));
            findings.Add(new SetupCheckResult("auth", keys > 0 ? FindingSeverity.Ok : FindingSeverity.Warning,
                keys > 0 ? $"{keys} API key(s) required" : "no API key is required (fine on loopback; required before exposing the server)",
                keys > 0 ? "" : "Auth:ApiKeys:0", keys > 0 ? "" : "<a long random key, from the environment: Auth__ApiKeys__0>"));
            return;
        }

        var plaintext = exposed.Where(uri => uri.Scheme == Uri.UriSchemeHttp).ToList();
        findings.Add(plaintext.Count == 0
            ? new SetupCheckResult("tls", FindingSeverity.Ok, $"exposed endpoints use TLS: {string.Join(", ", exposed)}")
            : new SetupCheckResult("tls", FindingSeverity.Problem,
                $"{string.Join(", ", plaintext)} is reachable from other machines without TLS: questions, records and API keys travel in clear; " +
                "serve them over TLS (Tls:Url with Tls:CertificatePath and Tls:KeyPath) and keep plaintext on loopback (Urls = http://127.0.0.1:50051)",
                "Tls:Url", "https://0.0.0.0:50443"));
        findings.Add(keys > 0
            ? new SetupCheckResult("auth", FindingSeverity.Ok, $"{keys} API key(s) required")
            : new SetupCheckResult("auth", FindingSeverity.Problem, "the server is reachable from other machines and requires no API key",
                "Auth:ApiKeys:0", "<a long random key, from the environment: Auth__ApiKeys__0>"));
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
