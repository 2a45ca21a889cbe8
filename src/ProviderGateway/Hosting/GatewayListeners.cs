using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ProviderGateway.Hosting;

/// <summary>
/// The gateway's two Kestrel endpoints, named in configuration: <c>Kestrel:Endpoints:Grpc</c> (HTTP/2,
/// cleartext h2c or TLS) for gRPC, and <c>Kestrel:Endpoints:Http</c> (HTTP/1.1) for plain HTTP. Kestrel
/// speaks only HTTP/1.1 on a cleartext endpoint that offers both, hence two. Knows the addresses
/// actually bound once the server has started (port 0 picks a free port).
/// </summary>
public sealed class GatewayListeners
{
    /// <summary>Name of the gRPC endpoint under <c>Kestrel:Endpoints</c>.</summary>
    public const string GrpcEndpointName = "Grpc";

    /// <summary>Name of the HTTP/1.1 endpoint under <c>Kestrel:Endpoints</c>.</summary>
    public const string HttpEndpointName = "Http";

    private (ListenOptions Listen, bool IsHttps)? _grpc;
    private (ListenOptions Listen, bool IsHttps)? _http;

    /// <summary>The bound gRPC address, for example <c>http://127.0.0.1:5080</c>.</summary>
    public Uri GrpcAddress => AddressOf(_grpc, GrpcEndpointName);

    /// <summary>The bound HTTP/1.1 address, for example <c>http://127.0.0.1:5081</c>.</summary>
    public Uri HttpAddress => AddressOf(_http, HttpEndpointName);

    /// <summary>
    /// Records the named endpoints as Kestrel's configuration loader creates them. With
    /// <c>Gateway:Security:ClientCaCertificate</c> set, a TLS gRPC endpoint asks clients for a certificate
    /// (optional: API keys still work); the authentication handler checks it against that authority.
    /// </summary>
    internal void Configure(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ApplyLimits(kestrel.Limits, configuration.GetSection("Kestrel:Limits"));
        var askForCertificates = !string.IsNullOrEmpty(configuration[$"{Configuration.SecurityOptions.SectionName}:ClientCaCertificate"]);
        kestrel.Configure(configuration.GetSection("Kestrel"), reloadOnChange: false)
            .Endpoint(GrpcEndpointName, endpoint =>
            {
                _grpc = (endpoint.ListenOptions, endpoint.IsHttps);
                if (endpoint.IsHttps && askForCertificates)
                {
                    endpoint.HttpsOptions.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    endpoint.HttpsOptions.AllowAnyClientCertificate();
                }
            })
            .Endpoint(HttpEndpointName, endpoint => _http = (endpoint.ListenOptions, endpoint.IsHttps));
    }

    /// <summary>
    /// The gateway's limits on what a connection may hold or take (Kestrel leaves several unlimited or lax), then
    /// whatever <c>Kestrel:Limits</c> configures on top: a configured value always wins.
    /// </summary>
    internal static void ApplyLimits(KestrelServerLimits limits, IConfigurationSection configured)
    {
        // Beyond this, new connections are refused at once rather than starving those being served (Kestrel: unlimited).
        limits.MaxConcurrentConnections = 4096;
        // Calls in flight on one HTTP/2 connection; a desk needing more opens another connection.
        limits.Http2.MaxStreamsPerConnection = 100;
        // A client that dribbles its headers holds a connection for nothing (Kestrel: 30 s).
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        // A body slower than this (after a 5 s grace) is cut: slow-body attacks. grpc-dotnet lifts it for streaming calls.
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        // Finds desks whose connection died silently (NAT, firewalls) so their streams and memory are freed (Kestrel: off).
        limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        // Desk calls carry a few short metadata entries; more is abuse.
        limits.MaxRequestHeadersTotalSize = 32 * 1024;
        configured.Bind(limits);
        // MinDataRate is immutable, which the binder leaves alone: built from its two keys.
        var rate = configured.GetSection("MinRequestBodyDataRate");
        if (rate.Exists())
        {
            limits.MinRequestBodyDataRate = new MinDataRate(
                rate.GetValue("BytesPerSecond", limits.MinRequestBodyDataRate.BytesPerSecond),
                rate.GetValue("GracePeriod", limits.MinRequestBodyDataRate.GracePeriod));
        }
    }

    private static Uri AddressOf((ListenOptions Listen, bool IsHttps)? listener, string name)
    {
        if (listener?.Listen.IPEndPoint is not { } endpoint)
        {
            throw new InvalidOperationException($"Kestrel:Endpoints:{name} is not configured as an IP endpoint, or the server has not started.");
        }

        var scheme = listener.Value.IsHttps ? "https" : "http";
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)
            ? "127.0.0.1"
            : endpoint.Address.ToString();
        return new UriBuilder(scheme, host, endpoint.Port).Uri;
    }
}
