using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// The gateway's own credentials towards a provider that authenticates its callers by an API key: the configured key
/// goes with every call (health probes included), from configuration or a key file; a provider refusing the gateway's
/// key gives the desk UNAVAILABLE naming the provider (PROVIDER_AUTHENTICATION_FAILED), and no log line holds the key.
/// </summary>
public sealed class ProviderCredentialsTests
{
    internal const string ProviderId = "alatau-power";
    private const string RightKey = "provider-key-7f3a9c2e-right";
    private const string WrongKey = "provider-key-0b41d8aa-wrong";
    private static readonly Metadata NoCache = new() { { "cache-control", "no-cache" } };

    internal static readonly DemoSeedUtilityAccount Account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == ProviderId);

    [Fact]
    public async Task A_provider_requiring_an_API_key_is_served_with_the_configured_key_from_configuration_or_a_file()
    {
        // Arrange
        await using var provider = await StartProviderAsync();
        var keyFile = Path.Combine(Path.GetTempPath(), $"provider-key-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(keyFile, RightKey + "\n");
        try
        {
            await using var fromConfiguration = await StartGatewayAsync(provider, new GatewaySettings { ["Gateway:Providers:0:ApiKey:Key"] = RightKey });
            await using var fromFile = await StartGatewayAsync(provider, new GatewaySettings { ["Gateway:Providers:0:ApiKey:KeyFile"] = keyFile });

            // Act
            var answers = new[] { await BalanceAsync(fromConfiguration), await BalanceAsync(fromFile) };

            // Assert
            Assert.All(answers, a => Assert.Equal(Account.AccountNumber, a.Balance.AccountNumber));
            Assert.Equal(0, provider.CallsRefusedForApiKey);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task A_wrong_or_missing_key_gives_the_desk_UNAVAILABLE_naming_the_provider_and_no_log_holds_the_key()
    {
        // Arrange
        await using var provider = await StartProviderAsync();
        var logs = new RecordingLogs();
        await using var wrong = await StartGatewayAsync(provider, new GatewaySettings { ["Gateway:Providers:0:ApiKey:Key"] = WrongKey }, logs);
        await using var none = await StartGatewayAsync(provider, new GatewaySettings());

        // Act
        var refusals = new[]
        {
            await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(wrong)),
            await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(none)),
        };

        // Assert
        Assert.All(refusals, AssertAuthenticationFailure);
        Assert.True(provider.CallsRefusedForApiKey >= 2);
        Assert.Contains(logs.Lines, l => l.Contains($"Provider {ProviderId} rejected the gateway's credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(WrongKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gateway_whose_provider_key_settings_are_wrong_names_every_problem_at_start_up()
    {
        // Arrange
        await using var provider = await StartProviderAsync();
        var settings = new GatewaySettings
        {
            ["Gateway:Providers:0:ApiKey:Header"] = "grpc-key",
            ["Gateway:Providers:0:ApiKey:Key"] = RightKey,
            ["Gateway:Providers:0:ApiKey:KeyFile"] = "/nonexistent/key",
        };

        // Act
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartGatewayAsync(provider, settings));

        // Assert
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:ApiKey:Header 'grpc-key'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Providers:0:ApiKey: set exactly one of", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains(RightKey, StringComparison.Ordinal));
    }

    /// <summary>
    /// A provider that requires mutual TLS is served with the client certificate configured on its entry; a gateway without
    /// one, or with a certificate of another authority, gets no connection, and the desk hears an authentication failure
    /// (UNAVAILABLE, PROVIDER_AUTHENTICATION_FAILED naming the provider), not a provider that is down.
    /// </summary>
    [Fact]
    public async Task A_provider_requiring_mutual_TLS_is_served_with_the_configured_client_certificate_and_refuses_others_as_an_authentication_failure()
    {
        // Arrange
        using var certificates = TestCertificates.Create();
        using var otherAuthority = TestCertificates.Create();
        using var serverCertificate = certificates.IssueServer("1.3.6.1.5.5.7.3.1");
        using var clientCertificate = certificates.IssueClient("provider-gateway");
        using var foreignCertificate = otherAuthority.IssueClient("provider-gateway");
        var stem = Path.Combine(Path.GetTempPath(), $"pg-gateway-client-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(stem + ".pem", clientCertificate.ExportCertificatePem() + "\n" + clientCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(stem + "-foreign.pem", foreignCertificate.ExportCertificatePem() + "\n" + foreignCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        try
        {
            await using var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions
            {
                ProviderId = ProviderId,
                Seed = DemoData.Seed,
                Url = "https://127.0.0.1:0",
                ServerCertificate = serverCertificate,
                ClientCertificateAuthority = certificates.Authority,
            });
            await using var withCertificate = await StartGatewayAsync(provider, new GatewaySettings
            {
                ["Gateway:Providers:0:CaCertificate"] = certificates.AuthorityPemFile,
                ["Gateway:Providers:0:ClientCertificate"] = stem + ".pem",
            });
            await using var without = await StartGatewayAsync(provider, new GatewaySettings { ["Gateway:Providers:0:CaCertificate"] = certificates.AuthorityPemFile });
            await using var foreign = await StartGatewayAsync(provider, new GatewaySettings
            {
                ["Gateway:Providers:0:CaCertificate"] = certificates.AuthorityPemFile,
                ["Gateway:Providers:0:ClientCertificate"] = stem + "-foreign.pem",
            });

            // Act
            var served = await BalanceAsync(withCertificate);
            var refusals = new[]
            {
                await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(foreign)),
                await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(without)),
            };

            // Assert
            Assert.Equal(Account.AccountNumber, served.Balance.AccountNumber);
            Assert.All(refusals, AssertAuthenticationFailure);
        }
        finally
        {
            File.Delete(stem + ".pem");
            File.Delete(stem + "-foreign.pem");
        }
    }

    /// <summary>A provider over TLS that does not ask for client certificates and then stops is UNAVAILABLE, not an authentication failure.</summary>
    [Fact]
    public async Task A_TLS_provider_that_is_gone_is_unavailable_not_an_authentication_failure()
    {
        // Arrange
        using var certificates = TestCertificates.Create();
        using var serverCertificate = certificates.IssueServer("1.3.6.1.5.5.7.3.1");
        var provider = await DemoProviderServer.StartAsync(new DemoProviderServerOptions
        {
            ProviderId = ProviderId,
            Seed = DemoData.Seed,
            Url = "https://127.0.0.1:0",
            ServerCertificate = serverCertificate,
        });
        await using var gateway = await StartGatewayAsync(provider, new GatewaySettings { ["Gateway:Providers:0:CaCertificate"] = certificates.AuthorityPemFile });
        await BalanceAsync(gateway);
        await provider.DisposeAsync();

        // Act
        var failure = await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway));

        // Assert
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.NotEqual(ErrorReasons.ProviderAuthenticationFailed, failure.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
    }

    internal static void AssertAuthenticationFailure(RpcException refusal)
    {
        Assert.Equal(StatusCode.Unavailable, refusal.StatusCode);
        var info = refusal.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.Equal(ErrorReasons.ProviderAuthenticationFailed, info?.Reason);
        Assert.Equal(ProviderId, info?.Metadata["provider_id"]);
        Assert.Contains(ProviderId, refusal.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// A TLS front whose backend is down completes the handshake without asking for a client certificate, then closes: that is
    /// a provider that is unavailable, not a refused certificate, even for a gateway that has one to present.
    /// </summary>
    [Fact]
    public async Task A_connection_closed_after_a_handshake_that_asked_for_no_certificate_is_unavailable_not_an_authentication_failure()
    {
        // Arrange
        using var certificates = TestCertificates.Create();
        using var clientCertificate = certificates.IssueClient("provider-gateway");
        var certificateFile = Path.Combine(Path.GetTempPath(), $"pg-gateway-client-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificateFile, clientCertificate.ExportCertificatePem() + "\n" + clientCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var front = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await using var tls = new System.Net.Security.SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions
                {
                    ServerCertificate = certificates.Server,
                    ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2],
                }, stop.Token);
            }
        });
        try
        {
            var address = new Uri($"https://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}");
            await using var gateway = await TestGateway.StartAsync([new ConfiguredProvider(ProviderId, "utilities", address, [])], new GatewaySettings
            {
                ["Gateway:Providers:0:CaCertificate"] = certificates.AuthorityPemFile,
                ["Gateway:Providers:0:ClientCertificate"] = certificateFile,
            });

            // Act
            var failure = await Assert.ThrowsAsync<RpcException>(() => BalanceAsync(gateway));

            // Assert
            Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
            Assert.NotEqual(ErrorReasons.ProviderAuthenticationFailed, failure.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await Task.WhenAny(front, Task.Delay(TimeSpan.FromSeconds(5)));
            File.Delete(certificateFile);
        }
    }

    private static Task<DemoProviderServer> StartProviderAsync() =>
        DemoProviderServer.StartAsync(new DemoProviderServerOptions { ProviderId = ProviderId, Seed = DemoData.Seed, RequiredApiKey = RightKey });

    internal static Task<TestGateway> StartGatewayAsync(DemoProviderServer provider, GatewaySettings settings, ILoggerProvider? logs = null) =>
        TestGateway.StartAsync([new ConfiguredProvider(ProviderId, "utilities", provider.Address, [])], settings, logs: logs);

    internal static async Task<GetUtilityAccountBalanceResponse> BalanceAsync(TestGateway gateway) =>
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = ProviderId, Iin = Account.Iin, AccountNumber = Account.AccountNumber }, NoCache);

    /// <summary>Every line the gateway logs (message and exception), at every level its configuration lets through.</summary>
    internal sealed class RecordingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(this);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{formatter(state, exception)} {exception}");
        }
    }
}
