using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Providers;

namespace ProviderGateway.Consent;

/// <summary>
/// The gateway's connection to the consent authority (<see cref="ConsentOptions.Authority"/>): one HTTP/2 channel for
/// verifications, the front desk's consent requests and the revocation stream. HTTP/2 keep-alive pings at a third of
/// <see cref="ConsentOptions.RevocationBound"/> find a connection that died silently, so that a revocation stream that
/// stopped is known to have stopped within the bound.
/// </summary>
public sealed class ConsentAuthority : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <summary>Connects to the configured authority.</summary>
    /// <exception cref="InvalidOperationException">When no authority is configured.</exception>
    public ConsentAuthority(IOptions<ConsentOptions> options)
    {
        var configured = options.Value;
        Address = configured.Authority ?? throw new InvalidOperationException($"{ConsentOptions.SectionName}:Authority is not configured.");
        var ping = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, configured.RevocationBound.Ticks / 3));
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = ping,
            KeepAlivePingTimeout = ping,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (configured.CaCertificate is { } caFile)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            // Only that CA is trusted, as for providers.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ProviderChannels.IsSignedBy(authority, certificate, errors);
        }

        _channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Client = new ConsentService.ConsentServiceClient(_channel);
    }

    /// <summary>The authority's address.</summary>
    public Uri Address { get; }

    /// <summary>The authority's client.</summary>
    public ConsentService.ConsentServiceClient Client { get; }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
