using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks the OTLP endpoint of <see cref="GatewayTelemetryOptions"/>, naming its key; the protocol and service name are
/// declared and checked by <see cref="GatewayTelemetryOptionsDeclaredValidator"/>.
/// </summary>
public sealed class GatewayTelemetryOptionsValidator : IValidateOptions<GatewayTelemetryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayTelemetryOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint is { Length: > 0 } endpoint
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"{GatewayTelemetryOptions.SectionName}:OtlpEndpoint must be an absolute http(s) URI such as http://otel-collector:4317.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
