using RagFood.Client.Tests.Support;
using RagFood.Server.Tests.Support;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary>The <c>ragfood</c> CLI against the real server's TLS endpoint with a self-signed certificate (security.md,
/// set-up 2): untrusted, it says it is the certificate and how to trust it; trusted through <c>SSL_CERT_FILE</c>, it works.</summary>
public sealed class TlsCliTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ragfood-cli-tls-").FullName;
    private TestCertificate? _certificate;
    private ServerProcess? _server;
    private Uri? _tls;

    public async Task InitializeAsync()
    {
        _certificate = TestCertificate.Create(_directory);
        _tls = new Uri($"https://127.0.0.1:{ServerProcess.FreePort()}");
        _server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Tls__Url"] = _tls.OriginalString,
            ["Tls__CertificatePath"] = _certificate.CertificatePemPath,
            ["Tls__KeyPath"] = _certificate.KeyPemPath,
            ["Ingestion__OnStart"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _certificate?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_named_with_the_way_to_trust_it_and_trusting_it_works()
    {
        var untrusted = await CliRunner.RunAsync("ping", "--address", _tls!.OriginalString);
        var trusted = await CliRunner.RunAsync(["ping", "--address", _tls.OriginalString],
            environment: new Dictionary<string, string> { ["SSL_CERT_FILE"] = _certificate!.CertificatePemPath });

        // It was "ragfood: Internal: Error starting gRPC call. ..." with exit 5, which reads like a server fault.
        Assert.True(untrusted.ExitCode == 3, untrusted.ToString());
        Assert.Contains($"cannot open a TLS connection to RagFood at {_tls.GetLeftPart(UriPartial.Authority)}", untrusted.Stderr, StringComparison.Ordinal);
        Assert.Contains("SSL_CERT_FILE", untrusted.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Internal", untrusted.Stderr, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            // SSL_CERT_FILE is OpenSSL's: the remedy the message names for Linux.
            Assert.True(trusted.ExitCode == 0, trusted.ToString());
            Assert.Contains("pong from", trusted.Stdout, StringComparison.Ordinal);
        }
    }
}
