using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RagFood.Server.Tests.Support;

/// <summary>A self-signed certificate for 127.0.0.1 and localhost, made by the test, written as PEM (+ key) and PFX.</summary>
internal sealed class TestCertificate : IDisposable
{
    public const string PfxPassword = "test-pfx-password";

    private TestCertificate(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        CertificatePemPath = Path.Combine(directory, "server.crt");
        KeyPemPath = Path.Combine(directory, "server.key");
        PfxPath = Path.Combine(directory, "server.pfx");
        File.WriteAllText(CertificatePemPath, certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(KeyPemPath, key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllBytes(PfxPath, certificate.Export(X509ContentType.Pfx, PfxPassword));
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePemPath { get; }

    public string KeyPemPath { get; }

    public string PfxPath { get; }

    public static TestCertificate Create(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ragfood-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return new TestCertificate(certificate, directory);
    }

    /// <summary>An HTTP handler that trusts exactly this certificate (pinned by thumbprint), as a client given
    /// <c>--cacert</c> would.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString(),
        },
    };

    public void Dispose() => Certificate.Dispose();
}
