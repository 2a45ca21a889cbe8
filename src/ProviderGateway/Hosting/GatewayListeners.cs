using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace ProviderGateway.Hosting;

/// <summary>
/// The gateway's three Kestrel endpoints, named in configuration: <c>Kestrel:Endpoints:Grpc</c> (HTTP/2,
/// cleartext h2c or TLS) for gRPC, <c>Kestrel:Endpoints:Http</c> (HTTP/1.1) for browser desks, and
/// <c>Kestrel:Endpoints:Management</c> (HTTP/1.1) for health, readiness and metrics only. Kestrel speaks only
/// HTTP/1.1 on a cleartext endpoint that offers both, hence gRPC and HTTP apart; management is apart so that it
/// can be bound where only operators reach it. Knows the addresses actually bound once the server has started
/// (port 0 picks a free port).
/// </summary>
public sealed partial class GatewayListeners
{
    /// <summary>Name of the gRPC endpoint under <c>Kestrel:Endpoints</c>.</summary>
    public const string GrpcEndpointName = "Grpc";

    /// <summary>Name of the HTTP/1.1 endpoint under <c>Kestrel:Endpoints</c>.</summary>
    public const string HttpEndpointName = "Http";

    /// <summary>Name of the management endpoint (health, readiness, metrics) under <c>Kestrel:Endpoints</c>.</summary>
    public const string ManagementEndpointName = "Management";

    private (ListenOptions Listen, bool IsHttps)? _grpc;
    private (ListenOptions Listen, bool IsHttps)? _http;
    private (ListenOptions Listen, bool IsHttps)? _management;

    /// <summary>The bound gRPC address, for example <c>http://127.0.0.1:5080</c>.</summary>
    public Uri GrpcAddress => AddressOf(_grpc, GrpcEndpointName);

    /// <summary>The bound HTTP/1.1 address, for example <c>http://127.0.0.1:5081</c>.</summary>
    public Uri HttpAddress => AddressOf(_http, HttpEndpointName);

    /// <summary>The bound management address, for example <c>http://127.0.0.1:5082</c>.</summary>
    public Uri ManagementAddress => AddressOf(_management, ManagementEndpointName);

    /// <summary>The bound port of the management endpoint (no other endpoint has it); -1 before start.</summary>
    internal int ManagementPort => _management?.Listen.IPEndPoint?.Port ?? -1;

    /// <summary>The bound port of the HTTP/1.1 endpoint; -1 before start.</summary>
    internal int HttpPort => _http?.Listen.IPEndPoint?.Port ?? -1;

    /// <summary>
    /// Records the named endpoints as Kestrel's configuration loader creates them. With
    /// <c>Gateway:Security:ClientCaCertificate</c> set, a TLS gRPC endpoint asks clients for a certificate
    /// (optional: API keys still work); the authentication handler checks it against that authority.
    /// </summary>
    internal void Configure(KestrelServerOptions kestrel, IConfiguration configuration)
    {
        // Kestrel's own sections are read here, as Kestrel reads them; the gateway's settings come from their options.
        ApplyLimits(kestrel.Limits, configuration.GetSection("Kestrel:Limits"));
        kestrel.Configure(configuration.GetSection("Kestrel"), reloadOnChange: false)
            .Endpoint(GrpcEndpointName, endpoint =>
            {
                _grpc = (endpoint.ListenOptions, endpoint.IsHttps);
                // Asked when the endpoints are bound, at start, once every section is validated: Kestrel's options are built
                // with the application, before the start-up check that lists every section's problems.
                if (endpoint.IsHttps && AsksForClientCertificates(kestrel))
                {
                    endpoint.HttpsOptions.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    endpoint.HttpsOptions.AllowAnyClientCertificate();
                }
            })
            .Endpoint(HttpEndpointName, endpoint => _http = (endpoint.ListenOptions, endpoint.IsHttps))
            .Endpoint(ManagementEndpointName, endpoint => _management = (endpoint.ListenOptions, endpoint.IsHttps));
    }

    private static bool AsksForClientCertificates(KestrelServerOptions kestrel) =>
        !string.IsNullOrEmpty(kestrel.ApplicationServices.GetRequiredService<IOptions<Configuration.SecurityOptions>>().Value.ClientCaCertificate);

    /// <summary>
    /// The problems of the endpoints' configuration, each naming its key: the management endpoint must be configured and
    /// have a port of its own (requests are told apart by the port they arrived on).
    /// </summary>
    internal static List<string> Check(IConfiguration configuration)
    {
        var failures = new List<string>();
        var management = configuration[$"Kestrel:Endpoints:{ManagementEndpointName}:Url"];
        if (string.IsNullOrWhiteSpace(management))
        {
            failures.Add(
                $"Kestrel:Endpoints:{ManagementEndpointName}:Url is missing: /health, /healthz, /readyz and /metrics are served only on " +
                "the management endpoint (for example http://127.0.0.1:5082, Protocols Http1).");
            return failures;
        }

        if (PortOf(management) is not { } port)
        {
            failures.Add($"Kestrel:Endpoints:{ManagementEndpointName}:Url '{management}' is not an http:// or https:// URL with a host and port.");
            return failures;
        }

        foreach (var other in new[] { GrpcEndpointName, HttpEndpointName })
        {
            if (port != 0 && PortOf(configuration[$"Kestrel:Endpoints:{other}:Url"]) == port)
            {
                failures.Add(
                    $"Kestrel:Endpoints:{ManagementEndpointName}:Url '{management}' shares port {port} with Kestrel:Endpoints:{other}: " +
                    "the management endpoint needs an address (port) of its own.");
            }
        }

        return failures;
    }

    private static int? PortOf(string? url)
    {
        if (url is null || UrlPattern().Match(url.Trim()) is not { Success: true } match)
        {
            return null;
        }

        return match.Groups["port"].Success
            ? int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : match.Groups["scheme"].Value.Equals("https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
    }

    // Kestrel's URLs: scheme://host[:port][/], the host possibly * or + (any address) or [IPv6].
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<scheme>https?)://(\[[^\]]+\]|[^:/\[\]]+)(:(?<port>\d{1,5}))?/?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex UrlPattern();

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
