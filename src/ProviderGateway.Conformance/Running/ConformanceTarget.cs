using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace ProviderGateway.Conformance.Running;

/// <summary>
/// The provider under test: one gRPC channel, and the call options of ordinary calls and of the
/// deadline probe. The probe's deadline travels as <c>grpc-timeout</c> but is not enforced by this
/// client, and the probe's request message is held back: however fast the provider, only its own
/// handling of the deadline can end the call in time, so what the report shows is the provider's behaviour.
/// </summary>
internal sealed class ConformanceTarget : IDisposable
{
    /// <summary>Metadata key the probe uses to ask <see cref="ProviderDeadlineHandler"/> for a <c>grpc-timeout</c> header.</summary>
    internal const string ProbeDeadlineKey = "x-conformance-probe-deadline-ms";

    /// <summary>The gateway client the kit calls as (metadata <c>x-client-id</c>), unless <c>--header</c> names one.</summary>
    internal const string ClientId = "conformance-kit";

    private const string ClientIdHeader = "x-client-id";

    private readonly KitOptions _options;
    private readonly KitCredentials _credentials;

    public ConformanceTarget(KitOptions options)
    {
        _options = options;
        _credentials = KitCredentials.From(options);
        var sockets = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (options.Target.Scheme == Uri.UriSchemeHttps && options.CaCertificate is { } caFile)
        {
            // The authority's certificate alone: a CA's PEM carries no private key (CreateFromPemFile would look for one).
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            sockets.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && TrustedBy(new X509Certificate2(certificate), authority, errors),
            };
        }

        if (_credentials.ClientCertificate is { } clientCertificate)
        {
            sockets.SslOptions.ClientCertificates = [clientCertificate];
        }

        // The bearer token, as the gateway sends it (over cleartext too: the kit is pointed at a test provider on purpose).
        var https = options.Target.Scheme == Uri.UriSchemeHttps;
        Channel = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
        {
            HttpHandler = new ProviderDeadlineHandler { InnerHandler = sockets },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            Credentials = _credentials.Call is { } call ? ChannelCredentials.Create(https ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, call) : null,
            UnsafeUseInsecureChannelCallCredentials = !https,
        });
    }

    /// <summary>The channel to the provider.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Options of an ordinary call: the configured headers and <see cref="KitOptions.CallTimeout"/>.</summary>
    public CallOptions Call(CancellationToken ct) =>
        new(Headers(), DateTime.UtcNow + _options.CallTimeout, ct);

    /// <summary>Options of an ordinary call made as another gateway client: <c>x-client-id</c> is <paramref name="clientId"/>.</summary>
    public CallOptions CallAs(string clientId, CancellationToken ct)
    {
        var headers = Headers();
        headers.Remove(headers.Get(ClientIdHeader)!);
        headers.Add(ClientIdHeader, clientId);
        return new(headers, DateTime.UtcNow + _options.CallTimeout, ct);
    }

    /// <summary>
    /// Options of the deadline probe: <paramref name="deadline"/> sent as <c>grpc-timeout</c>, enforced only by the
    /// provider, and the request message never sent (the call's headers are). The call ends when the provider ends
    /// it or when <paramref name="ct"/> is cancelled.
    /// </summary>
    public CallOptions Probe(TimeSpan deadline, CancellationToken ct)
    {
        var headers = Headers();
        headers.Add(ProbeDeadlineKey, ((long)deadline.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return new CallOptions(headers, deadline: null, ct);
    }

    public void Dispose()
    {
        Channel.Dispose();
        _credentials.Dispose();
    }

    private Metadata Headers()
    {
        var headers = new Metadata();
        foreach (var (key, value) in _options.Headers)
        {
            headers.Add(key, value);
        }

        // As the gateway does on every call; the contracts scope request_ids to it.
        if (headers.Get(ClientIdHeader) is null)
        {
            headers.Add(ClientIdHeader, ClientId);
        }

        return headers;
    }

    private static bool TrustedBy(X509Certificate2 certificate, X509Certificate2 authority, SslPolicyErrors errors)
    {
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // name mismatch or no certificate: never acceptable
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// Turns the probe's metadata entry into the <c>grpc-timeout</c> request header (in milliseconds), and holds
    /// the probe's request message back.
    /// </summary>
    private sealed class ProviderDeadlineHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues(ProbeDeadlineKey, out var values))
            {
                request.Headers.Remove(ProbeDeadlineKey);
                request.Headers.TryAddWithoutValidation("grpc-timeout", values.First() + "m");
                request.Content = new HeldBackContent(request.Content!);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// A request body that never comes: the call's headers (its deadline among them) reach the provider, its message
    /// does not, as if the network or the provider's own work were slow. Sending ends when the call does.
    /// </summary>
    private sealed class HeldBackContent : HttpContent
    {
        public HeldBackContent(HttpContent message)
        {
            foreach (var (name, value) in message.Headers.NonValidated)
            {
                Headers.TryAddWithoutValidation(name, value);
            }

            Headers.ContentLength = null;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        // Sends the headers now (HTTP/2 would hold them back to travel with the message), then ends, without a byte of the
        // message written, when the call does: the provider ended it (HttpClient then stops sending, which is no failure
        // of the call's own) or the kit gave up on it.
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
