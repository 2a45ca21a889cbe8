using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class GatewayTelemetryOptionsValidatorTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("http://otel-collector:4317")]
    [InlineData("https://collector.example.kz:4317")]
    public void An_absent_or_absolute_http_endpoint_is_valid(string? endpoint)
    {
        Assert.Empty(SectionValidation.Failures(new GatewayTelemetryOptions { OtlpEndpoint = endpoint }));
    }

    [Theory]
    [InlineData("otel-collector:4317")]
    [InlineData("ftp://collector")]
    public void Another_endpoint_is_refused_naming_the_key(string endpoint)
    {
        var failures = SectionValidation.Failures(new GatewayTelemetryOptions { OtlpEndpoint = endpoint });

        Assert.Contains("Gateway:Telemetry:OtlpEndpoint", Assert.Single(failures));
    }

    [Fact]
    public void An_empty_service_name_is_refused()
    {
        var failures = SectionValidation.Failures(new GatewayTelemetryOptions { ServiceName = " " });

        Assert.StartsWith("Gateway:Telemetry:ServiceName", Assert.Single(failures), StringComparison.Ordinal);
    }
}
