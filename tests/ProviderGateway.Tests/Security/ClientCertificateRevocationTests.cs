using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

public sealed class ClientCertificateRevocationTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("pg-crl-");
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly X509Certificate2 _authority;
    private readonly X509Certificate2 _desk;
    private readonly string _crl;

    public ClientCertificateRevocationTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Desk CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _authority = request.CreateSelfSigned(_clock.Now.AddDays(-1), _clock.Now.AddDays(10));
        using var deskKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _desk = new CertificateRequest("CN=desk", deskKey, HashAlgorithmName.SHA256).Create(_authority, _clock.Now.AddHours(-1), _clock.Now.AddDays(5), [1, 2, 3, 4]);
        _crl = Path.Combine(_folder.FullName, "desks.crl");
    }

    [Fact]
    public void A_changed_CRL_file_is_read_again_within_the_refresh_interval_not_before()
    {
        WriteCrl(revoked: false, nextUpdate: _clock.Now.AddDays(1));
        var revocation = Create(ClientCertificateRevocationMode.Offline);
        var before = revocation.RefusalOf(_desk);

        WriteCrl(revoked: true, nextUpdate: _clock.Now.AddDays(1));
        File.SetLastWriteTimeUtc(_crl, DateTime.UtcNow.AddMinutes(1));
        _clock.Now += TimeSpan.FromSeconds(10);
        var soon = revocation.RefusalOf(_desk);
        _clock.Now += ClientCertificateRevocation.RefreshInterval;
        var after = revocation.RefusalOf(_desk);

        Assert.Null(before);
        Assert.Null(soon);
        Assert.Equal("the certificate is revoked", after);
    }

    [Fact]
    public void A_certificate_is_refused_once_the_CRL_passes_its_next_update()
    {
        WriteCrl(revoked: false, nextUpdate: _clock.Now.AddHours(1));
        var revocation = Create(ClientCertificateRevocationMode.Offline);
        var current = revocation.RefusalOf(_desk);

        _clock.Now += TimeSpan.FromHours(2);

        Assert.Null(current);
        Assert.Equal("the CRL of the certificate's issuer is past its nextUpdate", revocation.RefusalOf(_desk));
    }

    [Fact]
    public void A_CRL_file_broken_while_running_refuses_certificates_of_its_issuer()
    {
        WriteCrl(revoked: false, nextUpdate: _clock.Now.AddDays(1));
        var revocation = Create(ClientCertificateRevocationMode.Offline);
        var current = revocation.RefusalOf(_desk);

        File.WriteAllText(_crl, "half a file");
        _clock.Now += ClientCertificateRevocation.RefreshInterval;

        Assert.Null(current);
        Assert.Equal("no usable CRL of the certificate's issuer is configured", revocation.RefusalOf(_desk));
    }

    [Fact]
    public void Online_and_NoCheck_leave_the_files_alone()
    {
        WriteCrl(revoked: true, nextUpdate: _clock.Now.AddDays(1));

        Assert.Null(Create(ClientCertificateRevocationMode.Online).RefusalOf(_desk));
        Assert.Null(Create(ClientCertificateRevocationMode.NoCheck).RefusalOf(_desk));
    }

    public void Dispose()
    {
        _folder.Delete(recursive: true);
        _authority.Dispose();
        _desk.Dispose();
    }

    private ClientCertificateRevocation Create(ClientCertificateRevocationMode mode)
    {
        var authorityFile = Path.Combine(_folder.FullName, "ca.pem");
        File.WriteAllText(authorityFile, _authority.ExportCertificatePem());
        var options = new SecurityOptions { ClientCaCertificate = authorityFile, ClientCertificateRevocation = mode, ClientCertificateRevocationLists = [_crl] };
        return new ClientCertificateRevocation(Options.Create(options), _clock, NullLogger<ClientCertificateRevocation>.Instance);
    }

    private void WriteCrl(bool revoked, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        if (revoked)
        {
            builder.AddEntry(_desk, _clock.Now);
        }

        File.WriteAllBytes(_crl, builder.Build(_authority, 1, nextUpdate, HashAlgorithmName.SHA256, thisUpdate: _clock.Now.AddMinutes(-1)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
