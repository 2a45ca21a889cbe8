using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>Where traces and metrics go besides the Prometheus scrape endpoint (<c>Gateway:Telemetry</c>).</summary>
public sealed class GatewayTelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Telemetry";

    /// <summary>
    /// An OpenTelemetry collector's OTLP endpoint (gRPC, for example <c>http://otel-collector:4317</c>): traces and
    /// metrics are exported to it when set. The standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable works too.
    /// Not set by default: no export.
    /// </summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>
    /// The OTLP transport: <c>grpc</c> (the default; collectors listen on 4317) or <c>http/protobuf</c>
    /// (port 4318; the endpoint is then the base address, <c>/v1/traces</c> and <c>/v1/metrics</c> are added).
    /// </summary>
    [AllowedValues("grpc", "http/protobuf", ErrorMessage = "{0} must be grpc or http/protobuf.")]
    public string OtlpProtocol { get; init; } = "grpc";

    /// <summary>The service name traces and metrics carry (<c>service.name</c>). Default: ProviderGateway.</summary>
    [Required(ErrorMessage = "{0} must not be empty.")]
    public string ServiceName { get; init; } = "ProviderGateway";
}
