using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>Validates <see cref="GatewayTelemetryOptions"/>, naming each offending key.</summary>
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

        if (options.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"{GatewayTelemetryOptions.SectionName}:OtlpProtocol must be grpc or http/protobuf.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add($"{GatewayTelemetryOptions.SectionName}:ServiceName must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
