using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Revocation of desks' client certificates over real mutual TLS: the configured CRL files (Offline, the default), the
/// certificates' own distribution points (Online), each failing closed when the status cannot be known.
/// </summary>
public sealed class ClientCertificateRevocationTests
{
    [Fact]
    public async Task A_revoked_client_certificate_is_refused_and_an_unrevoked_one_of_the_same_authority_is_served()
    {
        using var certificates = TestCertificates.Create();
        using var revoked = certificates.IssueClient("revoked-office");
        using var current = certificates.IssueClient("current-office");
        var crl = certificates.WriteCrl([revoked], DateTimeOffset.UtcNow.AddDays(1));
        await using var gateway = await StartMutualTlsAsync(certificates, [revoked, current], new GatewaySettings().WithClientCertificateRevocationLists(crl));

        var served = await CallAsync(gateway, certificates, current);
        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(gateway, certificates, revoked));

        Assert.NotEmpty(served.Providers);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("CLIENT_NOT_AUTHENTICATED", refused.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        File.Delete(crl);
    }

    [Fact]
    public async Task A_client_certificate_is_refused_while_its_authoritys_CRL_is_past_its_next_update()
    {
        using var certificates = TestCertificates.Create();
        using var current = certificates.IssueClient("current-office");
        var expired = certificates.WriteCrl([], DateTimeOffset.UtcNow.AddHours(-1), pem: false);
        await using var gateway = await StartMutualTlsAsync(certificates, [current], new GatewaySettings().WithClientCertificateRevocationLists(expired));

        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(gateway, certificates, current));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        File.Delete(expired);
    }

    [Fact]
    public async Task Online_revocation_refuses_a_certificate_whose_CRL_distribution_point_is_unreachable()
    {
        using var certificates = TestCertificates.Create();
        var closedPort = ClosedLoopbackPort();
        using var unreachable = certificates.IssueClient("online-office", new Uri($"http://127.0.0.1:{closedPort}/ca.crl"));
        await using var online = await StartMutualTlsAsync(certificates, [unreachable], new GatewaySettings().WithClientCertificateRevocation("Online"));
        await using var unchecked_ = await StartMutualTlsAsync(certificates, [unreachable], new GatewaySettings().WithClientCertificateRevocation("NoCheck"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => CallAsync(online, certificates, unreachable));
        var served = await CallAsync(unchecked_, certificates, unreachable);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.NotEmpty(served.Providers);
    }

    [Fact]
    public async Task A_client_authority_without_a_CRL_under_the_default_Offline_mode_does_not_start()
    {
        using var certificates = TestCertificates.Create();
        using var other = TestCertificates.Create();
        var foreign = other.WriteCrl([], DateTimeOffset.UtcNow.AddDays(1));

        var missing = await Assert.ThrowsAsync<OptionsValidationException>(() => StartMutualTlsAsync(certificates, [], []));
        var unsigned = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartMutualTlsAsync(certificates, [], new GatewaySettings().WithClientCertificateRevocationLists(foreign)));

        Assert.Contains(missing.Failures, f => f.StartsWith("Gateway:Security:ClientCertificateRevocation is Offline", StringComparison.Ordinal)
            && f.Contains("Online", StringComparison.Ordinal) && f.Contains("NoCheck", StringComparison.Ordinal));
        // Same subject name, other key: the signature, not the name, decides.
        Assert.Contains(unsigned.Failures, f => f.StartsWith("Gateway:Security:ClientCertificateRevocationLists:0", StringComparison.Ordinal)
            && f.Contains("not signed by", StringComparison.Ordinal));
        File.Delete(foreign);
    }

    private static async Task<TestGateway> StartMutualTlsAsync(TestCertificates certificates, X509Certificate2[] clients, GatewaySettings more)
    {
        var (serverPem, serverKey) = certificates.WriteServerPem();
        var settings = new GatewaySettings()
            .WithTlsGrpcEndpoint(serverPem, serverKey)
            .WithClientCaCertificate(certificates.AuthorityPemFile);
        for (var i = 0; i < clients.Length; i++)
        {
            var (id, thumbprint) = ($"office-{i + 1}", clients[i].GetCertHashString(HashAlgorithmName.SHA256));
            settings.WithClient(c => c.Id(id).CertificateSha256(thumbprint).Permissions("*").Districts("*"));
        }

        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        try
        {
            return await TestGateway.StartAsync(settings: settings);
        }
        finally
        {
            // Kestrel has read them once started (or failed).
            File.Delete(serverPem);
            File.Delete(serverKey);
        }
    }

    private static async Task<ListProvidersResponse> CallAsync(TestGateway gateway, TestCertificates certificates, X509Certificate2 certificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, server, _, _) => server?.Issuer == certificates.Authority.Subject;
        handler.SslOptions.ClientCertificates = [certificate];
        using var channel = GrpcChannel.ForAddress(gateway.Application.Listeners.GrpcAddress, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var client = new FrontDeskService.FrontDeskServiceClient(channel);
        return await client.ListProvidersAsync(new ListProvidersRequest());
    }

    // A port that was free a moment ago and that nothing listens on: connections to it are refused at once.
    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
