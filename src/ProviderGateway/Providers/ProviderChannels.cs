using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Core.Interceptors;
using ProviderGateway.Configuration;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Providers;

/// <summary>
/// One long-lived gRPC channel per provider, created at start-up and reused by every call: HTTP/2
/// connections are expensive to open, and a channel multiplexes calls over them (opening more
/// connections when one is full of streams). https endpoints use TLS, trusting the provider's configured
/// certificate authority (or the system's), and present a client certificate where one is configured; a provider's
/// API key and OAuth2 access token go with every call as call credentials.
/// </summary>
public sealed class ProviderChannels : IDisposable
{
    // Extended key usage id-kp-serverAuth (RFC 5280, 4.2.1.12).
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly FrozenDictionary<string, GrpcChannel> _channels;
    private readonly FrozenDictionary<string, CallInvoker> _invokers;
    private readonly FrozenDictionary<string, ProviderTokenCache> _tokens;

    /// <summary>Creates the channels of every configured provider (connections open on first use).</summary>
    public ProviderChannels(ProviderRegistry registry, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var logger = loggerFactory.CreateLogger<ProviderChannels>();
        _tokens = registry.All
            .Where(p => p.OAuth2 is not null)
            .ToFrozenDictionary(
                p => p.Id,
                p => new ProviderTokenCache(p.Id, new ClientCredentialsTokenClient(new HttpMessageInvoker(CreateTokenHandler(p.OAuth2!)), p.OAuth2!.Settings, time), p.OAuth2.RefreshBeforeExpiry, time, logger),
                StringComparer.Ordinal);
        var channels = new Dictionary<string, GrpcChannel>(StringComparer.Ordinal);
        var invokers = new Dictionary<string, CallInvoker>(StringComparer.Ordinal);
        foreach (var p in registry.All)
        {
            // TLS: a refused client certificate reads as the provider's UNAUTHENTICATED, not as a broken connection.
            var certificates = p.Endpoint.Scheme == Uri.UriSchemeHttps ? new RefusedClientCertificate(p.Id, LoadClientCertificate(p), time) : null;
            var channel = GrpcChannel.ForAddress(p.Endpoint, new GrpcChannelOptions
            {
                HttpHandler = CreateHandler(p, certificates),
                DisposeHttpClient = true,
                LoggerFactory = loggerFactory,
                // The gateway decides about retries itself; the channel must not replay calls on its own.
                MaxRetryAttempts = 0,
                ThrowOperationCanceledOnCancellation = false,
                // A provider's API key and OAuth2 token go with every call on its channel (health probes included). Over
                // cleartext only where start-up allowed cleartext at all: loopback, or a provider marked AllowInsecureTransport.
                Credentials = CallCredentialsOf(p) is { } credentials
                    ? ChannelCredentials.Create(p.Endpoint.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials)
                    : null,
                UnsafeUseInsecureChannelCallCredentials = p.Endpoint.Scheme == Uri.UriSchemeHttp,
            });
            channels[p.Id] = channel;

            // One invoker per channel, shared by every call (it is stateless; CreateCallInvoker makes a new one each time).
            // With OAuth2, a call the provider refuses UNAUTHENTICATED is made once more with a new token; outside it, a
            // refused client certificate becomes UNAUTHENTICATED (and is not retried with a new token).
            var invoker = channel.CreateCallInvoker();
            if (_tokens.TryGetValue(p.Id, out var tokens))
            {
                invoker = invoker.Intercept(new BearerTokenRetry(p.Id, tokens, logger));
            }

            invokers[p.Id] = certificates is null ? invoker : invoker.Intercept(certificates);
        }

        _channels = channels.ToFrozenDictionary(StringComparer.Ordinal);
        _invokers = invokers.ToFrozenDictionary(StringComparer.Ordinal);
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

        foreach (var tokens in _tokens.Values)
        {
            tokens.Dispose();
        }
    }

    private CallCredentials? CallCredentialsOf(ProviderDescriptor provider)
    {
        CallCredentials[] all =
        [
            .. provider.ApiKey is { } apiKey ? [KeyCredentials(apiKey)] : Array.Empty<CallCredentials>(),
            .. _tokens.TryGetValue(provider.Id, out var tokens) ? [tokens.Credentials] : Array.Empty<CallCredentials>(),
        ];
        return all.Length switch
        {
            0 => null,
            1 => all[0],
            _ => CallCredentials.Compose(all),
        };
    }

    private static CallCredentials KeyCredentials(ProviderApiKey apiKey) =>
        CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add(apiKey.Header, apiKey.Key);
            return Task.CompletedTask;
        });

    // The token endpoint's own connections: HTTP/1.1 or HTTP/2 over TLS as it offers, trusting its configured authority.
    private static SocketsHttpHandler CreateTokenHandler(ProviderOAuth2Client oauth2)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AllowAutoRedirect = false,
        };
        if (oauth2.CaCertificate is { } caFile)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsSignedBy(authority, certificate, errors);
        }

        return handler;
    }

    private static X509Certificate2? LoadClientCertificate(ProviderDescriptor provider) =>
        provider.ClientCertificate is not { } certificateFile ? null
        : provider.ClientKey is { } keyFile ? X509Certificate2.CreateFromPemFile(certificateFile, keyFile)
        : X509Certificate2.CreateFromPemFile(certificateFile);

    private static SocketsHttpHandler CreateHandler(ProviderDescriptor provider, RefusedClientCertificate? certificates)
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

        if (certificates is not null)
        {
            // The configured client certificate (if any), given when the provider asks for one, and the asking noted.
            handler.SslOptions.LocalCertificateSelectionCallback = certificates.SelectCertificate;
            handler.PlaintextStreamFilter = certificates.TlsCompleted;
        }

        return handler;
    }

    // The provider's certificate must chain to the configured authority alone, match the endpoint's name, and be
    // meant for a TLS server (extended key usage serverAuth): a desk's client certificate issued by the same
    // authority must not pass for a provider. Without a configured authority, SslStream's own validation applies,
    // which asks the same of the chain (ApplicationPolicy serverAuth when authenticating a server).
    /// <summary>
    /// Whether <paramref name="certificate"/> chains to <paramref name="authority"/> alone (the system's roots not trusted),
    /// for server authentication, with no TLS problem but the chain's: the check of every configured CA.
    /// </summary>
    internal static bool IsSignedBy(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
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
