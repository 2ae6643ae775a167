using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration.Memory;

namespace RagFood.Server.Edge;

/// <summary>Kestrel at the edge: limits for slow and garbage connections, the TLS endpoint, and the rule that plaintext
/// stays on loopback unless explicitly allowed.</summary>
public static class EdgeHostingExtensions
{
    /// <summary>RagFood's Kestrel limits, beneath every other configuration source (so appsettings.json, the environment
    /// and the command line override them); bound onto Kestrel's limits at start.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> KestrelLimitDefaults = new Dictionary<string, string?>
    {
        // A connection with no request in flight is closed after this (Kestrel's default is 130 s).
        ["Kestrel:Limits:KeepAliveTimeout"] = "00:00:30",
        // Time to receive a request's headers (Kestrel's default is 30 s).
        ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:10",
        // Open connections across all clients (Kestrel's default is unlimited).
        ["Kestrel:Limits:MaxConcurrentConnections"] = "1024",
        // Concurrent HTTP/2 streams (calls) per connection; more wait for the client's flow control.
        ["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = "100",
        // HTTP/2 PING to idle connections, and how long the client has to answer before it is closed.
        ["Kestrel:Limits:Http2:KeepAlivePingDelay"] = "00:01:00",
        ["Kestrel:Limits:Http2:KeepAlivePingTimeout"] = "00:00:20",
        // Header limits (Kestrel's defaults, stated so they are documented and visible).
        ["Kestrel:Limits:Http2:MaxRequestHeaderFieldSize"] = "16384",
        ["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "32768",
    };

    /// <summary>Room above the gRPC message limit for the 5-byte gRPC frame header (and a little more).</summary>
    internal const long MessageFramingAllowance = 64 * 1024;

    /// <summary>Applies the Kestrel limits, the TLS endpoint (<c>Tls:*</c>) and the loopback rule for plaintext
    /// (<c>Edge:AllowNonLoopbackPlaintext</c>). Call after <c>AddRagFoodKestrelDefaults</c>.</summary>
    /// <exception cref="InvalidOperationException">TLS is misconfigured, or plaintext would listen beyond loopback
    /// without being allowed.</exception>
    public static WebApplicationBuilder AddRagFoodEdgeHosting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = KestrelLimitDefaults });

        var tls = configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
        X509Certificate2? certificate = null;
        if (!string.IsNullOrWhiteSpace(tls.Url))
        {
            certificate = LoadCertificate(tls);
            configuration.AddInMemoryCollection(TlsEndpoints(configuration, tls));
            // The URLs now live in Kestrel:Endpoints; left in place, Kestrel would warn that it ignores them.
            builder.WebHost.UseUrls();
        }

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            // Kestrel reads Kestrel:Endpoints and Kestrel:EndpointDefaults itself, but not Kestrel:Limits.
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
            // Kestrel's body limit applies to gRPC calls too, and a body over it fails as UNKNOWN; keep it above the
            // gRPC message limit so that gRPC's own check (RESOURCE_EXHAUSTED, with a message) always comes first.
            var messageLimit = context.Configuration.GetValue($"{EdgeOptions.SectionName}:{nameof(EdgeOptions.MaxReceiveMessageSize)}", new EdgeOptions().MaxReceiveMessageSize);
            if (kestrel.Limits.MaxRequestBodySize is { } bodyLimit && bodyLimit < messageLimit + MessageFramingAllowance)
            {
                kestrel.Limits.MaxRequestBodySize = messageLimit + MessageFramingAllowance;
            }
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.HandshakeTimeout = tls.HandshakeTimeout;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            });
        });

        var exposed = PlaintextUrls(configuration).Where(url => !IsLoopback(url)).ToList();
        var allowed = configuration.GetValue<bool>($"{EdgeOptions.SectionName}:{nameof(EdgeOptions.AllowNonLoopbackPlaintext)}");
        if (exposed.Count > 0 && !allowed)
        {
            throw new InvalidOperationException(
                $"Refusing to serve plaintext gRPC beyond loopback on {string.Join(", ", exposed)}: API keys and data would cross the network unencrypted. "
                + "Listen on 127.0.0.1 and add a TLS endpoint (Tls:Url, Tls:CertificatePath; see docs/security.md), "
                + "or set Edge:AllowNonLoopbackPlaintext = true on a trusted network (e.g. behind a TLS-terminating proxy).");
        }

        builder.Services.AddSingleton(new EdgeExposure(exposed, tls.Url, certificate?.Subject, certificate?.NotAfter.ToUniversalTime()));
        builder.Services.AddHostedService<EdgeExposureReport>();
        certificate?.Dispose();
        return builder;
    }

    /// <summary>Kestrel endpoint settings: the TLS endpoint, plus the plaintext URLs that configuring an endpoint would
    /// otherwise silently replace (Kestrel ignores <c>Urls</c> once <c>Kestrel:Endpoints</c> exists).</summary>
    private static Dictionary<string, string?> TlsEndpoints(IConfiguration configuration, TlsOptions tls)
    {
        const string tlsEndpoint = "Kestrel:Endpoints:RagFoodTls";
        var settings = new Dictionary<string, string?>
        {
            [$"{tlsEndpoint}:Url"] = tls.Url,
            [$"{tlsEndpoint}:Protocols"] = "Http1AndHttp2",
            [$"{tlsEndpoint}:Certificate:Path"] = Path.GetFullPath(tls.CertificatePath!),
        };
        if (!string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            settings[$"{tlsEndpoint}:Certificate:KeyPath"] = Path.GetFullPath(tls.KeyPath);
        }

        if (!string.IsNullOrEmpty(tls.CertificatePassword))
        {
            settings[$"{tlsEndpoint}:Certificate:Password"] = tls.CertificatePassword;
        }

        if (!tls.DisablePlaintext && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            var urls = configuration[WebHostDefaults.ServerUrlsKey];
            var plain = string.IsNullOrWhiteSpace(urls)
                ? [RagFoodServerExtensions.DefaultUrl]
                : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < plain.Length; i++)
            {
                settings[$"Kestrel:Endpoints:RagFoodPlaintext{i}:Url"] = plain[i];
            }
        }

        return settings;
    }

    private static X509Certificate2 LoadCertificate(TlsOptions tls)
    {
        if (!Uri.TryCreate(tls.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"Tls:Url '{tls.Url}' must be an https:// URL, e.g. https://0.0.0.0:50443.");
        }

        if (string.IsNullOrWhiteSpace(tls.CertificatePath) || !File.Exists(tls.CertificatePath))
        {
            throw new InvalidOperationException($"Tls:CertificatePath '{tls.CertificatePath}' is not a readable file: give a PEM certificate (with Tls:KeyPath) or a PFX.");
        }

        if (!string.IsNullOrWhiteSpace(tls.KeyPath) && !File.Exists(tls.KeyPath))
        {
            throw new InvalidOperationException($"Tls:KeyPath '{tls.KeyPath}' is not a readable file.");
        }

        if (tls.HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Tls:HandshakeTimeout must be positive (e.g. 00:00:10).");
        }

        try
        {
            var pfx = tls.CertificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || tls.CertificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            var certificate = pfx
                ? X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.CertificatePassword)
                : string.IsNullOrEmpty(tls.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(tls.CertificatePath, tls.CertificatePassword, tls.KeyPath);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"The certificate in '{tls.CertificatePath}' has no private key: set Tls:KeyPath to its PEM key file.");
            }

            return certificate;
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new InvalidOperationException($"Could not load the TLS certificate from '{tls.CertificatePath}': {ex.Message}", ex);
        }
    }

    /// <summary>Every plaintext URL the server will listen on, as Kestrel will resolve them.</summary>
    internal static IEnumerable<string> PlaintextUrls(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints");
        if (endpoints.Exists())
        {
            return endpoints.GetChildren().Select(e => e["Url"]).OfType<string>().Where(IsPlaintext);
        }

        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(IsPlaintext);
        }

        var ports = configuration["HTTP_PORTS"] ?? configuration["ASPNETCORE_HTTP_PORTS"];
        return string.IsNullOrWhiteSpace(ports)
            ? [RagFoodServerExtensions.DefaultUrl]
            : ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"http://*:{port}");
    }

    private static bool IsPlaintext(string url) => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loopback: <c>localhost</c>, 127.0.0.0/8 or ::1. Wildcards (<c>*</c>, <c>+</c>, 0.0.0.0, [::]) and other
    /// names are not.</summary>
    internal static bool IsLoopback(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']'))] : rest.Split(':', '/')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}

/// <summary>What the edge exposes, as decided at start-up, for the start-up report.</summary>
internal sealed record EdgeExposure(IReadOnlyList<string> NonLoopbackPlaintext, string? TlsUrl, string? CertificateSubject, DateTime? CertificateNotAfter);

/// <summary>Says at start what the edge exposes: the TLS endpoint and its certificate, and loudly any plaintext
/// endpoint beyond loopback.</summary>
internal sealed class EdgeExposureReport(EdgeExposure exposure, ILogger<EdgeExposureReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var url in exposure.NonLoopbackPlaintext)
        {
            Logging.Log.PlaintextExposed(logger, url);
        }

        if (exposure is { TlsUrl: { } tlsUrl, CertificateSubject: { } subject, CertificateNotAfter: { } notAfter })
        {
            Logging.Log.TlsEndpoint(logger, tlsUrl, subject, notAfter);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
