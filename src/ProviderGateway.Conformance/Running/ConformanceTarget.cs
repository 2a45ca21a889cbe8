using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace ProviderGateway.Conformance.Running;

/// <summary>
/// The provider under test: one gRPC channel, and the call options of ordinary calls and of the
/// deadline probe. The probe's deadline travels as <c>grpc-timeout</c> but is not enforced by this
/// client, so that what the report shows is the provider's own behaviour.
/// </summary>
internal sealed class ConformanceTarget : IDisposable
{
    /// <summary>Metadata key the probe uses to ask <see cref="ProviderDeadlineHandler"/> for a <c>grpc-timeout</c> header.</summary>
    internal const string ProbeDeadlineKey = "x-conformance-probe-deadline-ms";

    private readonly KitOptions _options;

    public ConformanceTarget(KitOptions options)
    {
        _options = options;
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

        Channel = GrpcChannel.ForAddress(options.Target, new GrpcChannelOptions
        {
            HttpHandler = new ProviderDeadlineHandler { InnerHandler = sockets },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
    }

    /// <summary>The channel to the provider.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Options of an ordinary call: the configured headers and <see cref="KitOptions.CallTimeout"/>.</summary>
    public CallOptions Call(CancellationToken ct) =>
        new(Headers(), DateTime.UtcNow + _options.CallTimeout, ct);

    /// <summary>Options of the deadline probe: <paramref name="deadline"/> sent as <c>grpc-timeout</c>, enforced only by the provider.</summary>
    public CallOptions Probe(TimeSpan deadline, CancellationToken ct)
    {
        var headers = Headers();
        headers.Add(ProbeDeadlineKey, ((long)deadline.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return new CallOptions(headers, deadline: null, ct);
    }

    public void Dispose() => Channel.Dispose();

    private Metadata Headers()
    {
        var headers = new Metadata();
        foreach (var (key, value) in _options.Headers)
        {
            headers.Add(key, value);
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

    /// <summary>Turns the probe's metadata entry into the <c>grpc-timeout</c> request header (in milliseconds).</summary>
    private sealed class ProviderDeadlineHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues(ProbeDeadlineKey, out var values))
            {
                request.Headers.Remove(ProbeDeadlineKey);
                request.Headers.TryAddWithoutValidation("grpc-timeout", values.First() + "m");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
