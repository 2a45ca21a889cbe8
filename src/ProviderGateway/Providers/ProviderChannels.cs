using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using ProviderGateway.Configuration;

namespace ProviderGateway.Providers;

/// <summary>
/// One long-lived gRPC channel per provider, created at start-up and reused by every call: HTTP/2
/// connections are expensive to open, and a channel multiplexes calls over them (opening more
/// connections when one is full of streams). https endpoints use TLS, trusting the provider's configured
/// certificate authority (or the system's), and present a client certificate where one is configured; a provider's
/// API key goes with every call as a call credential.
/// </summary>
public sealed class ProviderChannels : IDisposable
{
    // Extended key usage id-kp-serverAuth (RFC 5280, 4.2.1.12).
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly FrozenDictionary<string, GrpcChannel> _channels;
    private readonly FrozenDictionary<string, CallInvoker> _invokers;

    /// <summary>Creates the channels of every configured provider (connections open on first use).</summary>
    public ProviderChannels(ProviderRegistry registry, ILoggerFactory loggerFactory)
    {
        _channels = registry.All.ToFrozenDictionary(
            p => p.Id,
            p => GrpcChannel.ForAddress(p.Endpoint, new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(p),
                DisposeHttpClient = true,
                LoggerFactory = loggerFactory,
                // The gateway decides about retries itself; the channel must not replay calls on its own.
                MaxRetryAttempts = 0,
                ThrowOperationCanceledOnCancellation = false,
                // A provider's API key goes with every call on its channel (health probes included). Over cleartext only
                // where start-up allowed cleartext at all: loopback, or a provider marked AllowInsecureTransport.
                Credentials = p.ApiKey is { } apiKey ? ChannelCredentials.Create(p.Endpoint.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, KeyCredentials(apiKey)) : null,
                UnsafeUseInsecureChannelCallCredentials = p.ApiKey is not null && p.Endpoint.Scheme == Uri.UriSchemeHttp,
            }),
            StringComparer.Ordinal);
        // One invoker per channel, shared by every call (it is stateless; CreateCallInvoker makes a new one each time).
        _invokers = _channels.ToFrozenDictionary(c => c.Key, c => c.Value.CreateCallInvoker(), StringComparer.Ordinal);
    }

    /// <summary>The call invoker of a provider's channel.</summary>
    public CallInvoker InvokerFor(ProviderDescriptor provider) => _invokers[provider.Id];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private static CallCredentials KeyCredentials(ProviderApiKey apiKey) =>
        CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add(apiKey.Header, apiKey.Key);
            return Task.CompletedTask;
        });

    private static SocketsHttpHandler CreateHandler(ProviderDescriptor provider)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            // Detects a provider that silently dropped the connection (firewalls, crashed hosts).
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };

        if (provider.CaCertificate is { } caFile)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                IsSignedBy(authority, certificate, errors);
        }

        if (provider.ClientCertificate is { } certificateFile)
        {
            var client = provider.ClientKey is { } keyFile
                ? X509Certificate2.CreateFromPemFile(certificateFile, keyFile)
                : X509Certificate2.CreateFromPemFile(certificateFile);
            handler.SslOptions.ClientCertificates = [client];
        }

        return handler;
    }

    // The provider's certificate must chain to the configured authority alone, match the endpoint's name, and be
    // meant for a TLS server (extended key usage serverAuth): a desk's client certificate issued by the same
    // authority must not pass for a provider. Without a configured authority, SslStream's own validation applies,
    // which asks the same of the chain (ApplicationPolicy serverAuth when authenticating a server).
    private static bool IsSignedBy(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }
}
