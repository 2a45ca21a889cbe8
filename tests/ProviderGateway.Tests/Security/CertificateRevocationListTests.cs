using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

public sealed class CertificateRevocationListTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static TheoryData<string, string> Signatures => new()
    {
        { "rsa", "SHA256" },
        { "rsa", "SHA384" },
        { "rsa", "SHA512" },
        { "ecdsa", "SHA256" },
        { "ecdsa", "SHA384" },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void A_CRL_signed_by_the_authority_lists_exactly_its_revoked_serial_numbers(string key, string hash)
    {
        using var authority = Authority(key);
        using var revoked = Issue(authority, "revoked");
        using var current = Issue(authority, "current");
        var der = Crl(authority, new HashAlgorithmName(hash), revoked);

        var list = CertificateRevocationList.Load(der, authority);

        Assert.True(list.IsRevoked(revoked.SerialNumberBytes.Span));
        Assert.False(list.IsRevoked(current.SerialNumberBytes.Span));
        Assert.Equal(1, list.Count);
        Assert.Equal(authority.SubjectName.RawData, list.Issuer.RawData);
        Assert.InRange(list.NextUpdate, Now.AddDays(1).AddSeconds(-2), Now.AddDays(1).AddSeconds(2));
    }

    [Fact]
    public void A_PEM_CRL_reads_like_its_DER()
    {
        using var authority = Authority("ecdsa");
        using var revoked = Issue(authority, "revoked");
        var der = Crl(authority, HashAlgorithmName.SHA256, revoked);
        var pem = Encoding.ASCII.GetBytes("\n" + PemEncoding.WriteString("X509 CRL", der) + "\n");

        var list = CertificateRevocationList.Load(pem, authority);

        Assert.True(list.IsRevoked(revoked.SerialNumberBytes.Span));
    }

    [Fact]
    public void A_CRL_signed_by_another_key_under_the_same_name_is_refused()
    {
        using var authority = Authority("ecdsa");
        using var impostor = Authority("ecdsa");
        var der = Crl(impostor, HashAlgorithmName.SHA256);

        var error = Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Load(der, authority));

        Assert.Contains("not signed by", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CRL_with_a_tampered_entry_is_refused()
    {
        using var authority = Authority("rsa");
        using var revoked = Issue(authority, "revoked");
        var der = Crl(authority, HashAlgorithmName.SHA256, revoked);
        var serial = revoked.SerialNumberBytes.ToArray();
        var at = der.AsSpan().IndexOf(serial);
        der[at + serial.Length - 1] ^= 1;

        Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Load(der, authority));
    }

    [Fact]
    public void Something_that_is_not_a_CRL_is_refused()
    {
        using var authority = Authority("ecdsa");

        Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Load(authority.RawData, authority));
        Assert.Throws<InvalidDataException>(() => CertificateRevocationList.Load(Encoding.ASCII.GetBytes(authority.ExportCertificatePem()), authority));
    }

    private static X509Certificate2 Authority(string key)
    {
        using AsymmetricAlgorithm algorithm = key == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = algorithm is RSA rsa
            ? new CertificateRequest("CN=Test client CA", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=Test client CA", (ECDsa)algorithm, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(Now.AddMinutes(-5), Now.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        // A serial whose first byte has the high bit set: its INTEGER encoding gains a leading zero.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] |= 0x80;
        var signer = authority.GetRSAPrivateKey() is { } rsa
            ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
            : X509SignatureGenerator.CreateForECDsa(authority.GetECDsaPrivateKey()!);
        return request.Create(authority.SubjectName, signer, Now.AddMinutes(-1), Now.AddDays(1), serial);
    }

    private static byte[] Crl(X509Certificate2 authority, HashAlgorithmName hash, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, Now.AddMinutes(-1));
        }

        return builder.Build(authority, 7, Now.AddDays(1), hash, authority.GetRSAPrivateKey() is null ? null : RSASignaturePadding.Pkcs1);
    }
}
