using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>A throw-away certificate authority and a server certificate it signed for 127.0.0.1, made at test time.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority, X509Certificate2 server, string authorityPemFile)
    {
        Authority = authority;
        Server = server;
        AuthorityPemFile = authorityPemFile;
    }

    /// <summary>The certificate authority (with its key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The server certificate for 127.0.0.1 and localhost, with its key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>The authority's certificate as a PEM file (what the gateway is configured with).</summary>
    public string AuthorityPemFile { get; }

    /// <summary>Makes a new authority and server certificate.</summary>
    public static TestCertificates Create()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=ProviderGateway test CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var authority = authorityRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        // Kestrel needs the key in an exportable, persisted form: round-trip through PKCS#12.
        var server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        var pem = Path.Combine(Path.GetTempPath(), $"pg-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(pem, authority.ExportCertificatePem());
        return new TestCertificates(authority, server, pem);
    }

    /// <summary>
    /// A client certificate (for mutual TLS) signed by <see cref="Authority"/>, with its key; with
    /// <paramref name="crlDistributionPoint"/>, it names that URL as where its authority's CRL is published.
    /// </summary>
    public X509Certificate2 IssueClient(string commonName, Uri? crlDistributionPoint = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (crlDistributionPoint is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlDistributionPoint.ToString()]));
        }

        // Within the authority's own validity (made earlier): a notAfter past the issuer's is refused.
        using var signed = request.Create(Authority, Authority.NotBefore, Authority.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(16));
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A TLS server certificate for 127.0.0.1 and localhost signed by <see cref="Authority"/>, with its key, carrying the
    /// given extended key usages (for example only client authentication, 1.3.6.1.5.5.7.3.2).
    /// </summary>
    public X509Certificate2 IssueServer(params string[] extendedKeyUsages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var usages = new OidCollection();
        foreach (var usage in extendedKeyUsages)
        {
            usages.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        using var signed = request.Create(Authority, Authority.NotBefore, Authority.NotAfter.AddMinutes(-1), RandomNumberGenerator.GetBytes(16));
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Writes a CRL revoking <paramref name="revoked"/>, signed by <paramref name="signer"/> (by default
    /// <see cref="Authority"/>), due for renewal at <paramref name="nextUpdate"/>, as PEM or DER; returns its path.
    /// </summary>
    public string WriteCrl(IEnumerable<X509Certificate2> revoked, DateTimeOffset nextUpdate, bool pem = true, X509Certificate2? signer = null)
    {
        var builder = new CertificateRevocationListBuilder();
        var now = DateTimeOffset.UtcNow;
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, now.AddMinutes(-1));
        }

        var issuer = signer ?? Authority;
        var thisUpdate = nextUpdate < now ? nextUpdate.AddHours(-1) : now.AddMinutes(-1);
        var der = builder.Build(issuer, 1, nextUpdate, HashAlgorithmName.SHA256, thisUpdate: thisUpdate);
        var path = Path.Combine(Path.GetTempPath(), $"pg-test-crl-{Guid.NewGuid():N}.{(pem ? "pem" : "crl")}");
        if (pem)
        {
            File.WriteAllText(path, PemEncoding.WriteString("X509 CRL", der));
        }
        else
        {
            File.WriteAllBytes(path, der);
        }

        return path;
    }

    /// <summary>Writes the server certificate and its key as PEM files (for Kestrel's configuration); returns both paths.</summary>
    public (string Certificate, string Key) WriteServerPem()
    {
        var stem = Path.Combine(Path.GetTempPath(), $"pg-test-server-{Guid.NewGuid():N}");
        File.WriteAllText(stem + ".pem", Server.ExportCertificatePem());
        File.WriteAllText(stem + ".key", Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (stem + ".pem", stem + ".key");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        File.Delete(AuthorityPemFile);
        Authority.Dispose();
        Server.Dispose();
    }
}
