using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>What the gateway accepts as a provider's TLS certificate: one chained to the configured authority and meant for a server.</summary>
public sealed class ProviderTlsTests
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private static readonly Metadata NoCache = new() { { "cache-control", "no-cache" } };

    [Fact]
    public async Task A_provider_whose_certificate_is_not_for_server_authentication_is_refused_and_one_that_is_is_served()
    {
        // Kestrel will not serve a certificate without serverAuth, so the impostor (say, a desk's client certificate from
        // the same authority) is a bare TLS listener that records whether a client ever sent it anything over TLS.
        using var certificates = TestCertificates.Create();
        using var clientOnly = certificates.IssueServer(ClientAuthentication);
        using var serverAuth = certificates.IssueServer(ServerAuthentication);
        await using var impostor = TlsListener.Start(clientOnly);
        await using var genuine = await StartLandRegistryAsync(serverAuth);
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider("impostor", "land_registry", impostor.Address, []), new ConfiguredProvider("genuine", "land_registry", genuine.Address, [])],
            new GatewaySettings { ["Gateway:ProviderCaCertificate"] = certificates.AuthorityPemFile });
        var cadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber;

        var served = await gateway.FrontDesk.GetParcelAsync(new GetParcelRequest { CadastralNumber = cadastralNumber, ProviderId = "genuine" }, NoCache);
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.FrontDesk.GetParcelAsync(new GetParcelRequest { CadastralNumber = cadastralNumber, ProviderId = "impostor" }, NoCache).ResponseAsync);

        Assert.Equal(cadastralNumber, served.Parcel.CadastralNumber);
        Assert.True(refused.StatusCode == StatusCode.Unavailable, refused.ToString());
        var handshakes = await impostor.HandshakesAsync();
        Assert.NotEmpty(handshakes);
        Assert.DoesNotContain(true, handshakes);
    }

    [Fact]
    public async Task Without_a_configured_authority_TLS_validation_requires_a_certificate_for_server_authentication()
    {
        // With no CaCertificate the gateway leaves validation to SslStream: check that it asks the chain for serverAuth.
        using var certificates = TestCertificates.Create();
        using var clientOnly = certificates.IssueServer(ClientAuthentication);
        await using var provider = TlsListener.Start(clientOnly);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(provider.Address.Host, provider.Address.Port);
        OidCollection? policy = null;
        var status = X509ChainStatusFlags.NoError;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, chain, _) =>
        {
            policy = chain!.ChainPolicy.ApplicationPolicy;
            status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            return false;
        });

        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() =>
            tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }));

        Assert.NotNull(policy);
        Assert.Contains(policy!.Cast<Oid>(), oid => oid.Value == ServerAuthentication);
        Assert.True(status.HasFlag(X509ChainStatusFlags.NotValidForUsage), status.ToString());
    }

    private static Task<DemoProviderServer> StartLandRegistryAsync(X509Certificate2 certificate) =>
        DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = "land-registry", Url = "https://127.0.0.1:0", ServerCertificate = certificate });

    /// <summary>A TLS server on loopback that presents a certificate and records, per connection, whether the client sent anything over TLS.</summary>
    private sealed class TlsListener : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly System.Collections.Concurrent.ConcurrentQueue<bool> _handshakes = new();
        private readonly Task _accepting;

        private TlsListener(X509Certificate2 certificate)
        {
            _certificate = certificate;
            _listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            _listener.Start();
            Address = new Uri($"https://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}");
            _accepting = AcceptAsync();
        }

        public Uri Address { get; }

        public static TlsListener Start(X509Certificate2 certificate) => new(certificate);

        /// <summary>Per connection so far, whether the client sent data; once at least one has ended (or 10 s passed).</summary>
        public async Task<bool[]> HandshakesAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_handshakes.IsEmpty && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            return [.. _handshakes];
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    await using (var tls = new SslStream(client.GetStream()))
                    {
                        try
                        {
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                            {
                                ServerCertificate = _certificate,
                                ApplicationProtocols = [SslApplicationProtocol.Http2],
                            });
                            // .NET clients check the certificate once the TLS handshake is done: whether the client trusted
                            // this server shows in whether it sends anything over the connection (HTTP/2's preface).
                            var buffer = new byte[24];
                            _handshakes.Enqueue(await tls.ReadAsync(buffer) > 0);
                        }
                        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
                        {
                            _handshakes.Enqueue(false);
                        }
                    }
                });
            }
        }
    }
}
