namespace RagFood.Server.Edge;

/// <summary><c>Tls:*</c>: an HTTPS endpoint (HTTP/1.1 and HTTP/2, chosen by ALPN) from a certificate file.</summary>
/// <remarks>Set <see cref="Url"/> and <see cref="CertificatePath"/> to turn it on. PEM: <see cref="CertificatePath"/> is
/// the certificate (chain) and <see cref="KeyPath"/> its private key (omit when the key is in the same file). PFX/PKCS#12:
/// <see cref="CertificatePath"/> is the .pfx, with <see cref="CertificatePassword"/> if it has one. Kestrel reloads the
/// files when they change. The plaintext endpoint (<c>Urls</c>, else <c>http://127.0.0.1:50051</c>) stays unless
/// <see cref="DisablePlaintext"/> is set.</remarks>
public sealed class TlsOptions
{
    public const string SectionName = "Tls";

    /// <summary>Where the HTTPS endpoint listens, e.g. <c>https://0.0.0.0:50443</c>. Empty: no TLS endpoint.</summary>
    public string? Url { get; set; }

    /// <summary>PEM certificate or PFX file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (PEM only; optional when the certificate file also holds the key).</summary>
    public string? KeyPath { get; set; }

    /// <summary>PFX password, or the password of an encrypted PEM key. From the environment (<c>Tls__CertificatePassword</c>)
    /// or user secrets, never appsettings.json.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Time a client has to finish the TLS handshake. Default 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Serve only the TLS endpoint: no plaintext endpoint at all. Default false.</summary>
    public bool DisablePlaintext { get; set; }
}
