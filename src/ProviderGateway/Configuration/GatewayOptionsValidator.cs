using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Core;
using ProviderGateway.Providers;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks the whole <see cref="GatewayOptions"/> at start-up and reports every problem at once, each
/// naming its configuration key, so an operator can fix the file in one go.
/// </summary>
public sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private static readonly TimeSpan MaximumDeadline = TimeSpan.FromMinutes(5);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        const string section = GatewayOptions.SectionName;

        CheckDeadline(failures, $"{section}:DefaultProviderDeadline", options.DefaultProviderDeadline);
        if (options.OverviewPageSize is < 1 or > 100)
        {
            failures.Add($"{section}:OverviewPageSize must be 1 to 100; it is {options.OverviewPageSize}.");
        }

        if (options.HealthCheckTimeout <= TimeSpan.Zero || options.HealthCheckTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:HealthCheckTimeout must be above zero and at most 1 minute; it is {options.HealthCheckTimeout}.");
        }

        try
        {
            _ = new Regex(options.CadastralNumberPattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{section}:CadastralNumberPattern is not a valid regular expression: {ex.Message}");
        }

        ConfigurationChecks.CheckPemFile(failures, $"{section}:ProviderCaCertificate", options.ProviderCaCertificate, certificate: true);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            CheckProvider(failures, $"{section}:Providers:{i}", options.Providers[i], seen);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckProvider(List<string> failures, string key, ProviderOptions provider, HashSet<string> seen)
    {
        if (!ProviderId.IsValid(provider.Id))
        {
            failures.Add($"{key}:Id '{provider.Id}' must be 1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }
        else if (!seen.Add(provider.Id))
        {
            failures.Add($"{key}:Id '{provider.Id}' is used by another provider; ids must be unique.");
        }

        if (ProviderDomains.Parse(provider.Domain) is null)
        {
            failures.Add($"{key}:Domain '{provider.Domain}' is not one of: {string.Join(", ", ProviderDomains.Names)}.");
        }

        if (!Uri.TryCreate(provider.Endpoint, UriKind.Absolute, out var endpoint)
            || endpoint.Scheme is not ("http" or "https")
            || endpoint.AbsolutePath != "/"
            || !string.IsNullOrEmpty(endpoint.Query))
        {
            failures.Add($"{key}:Endpoint '{provider.Endpoint}' must be an absolute http:// or https:// URI with no path, such as https://provider.example.kz:443.");
        }
        else if (endpoint.Scheme == "http" && !endpoint.IsLoopback && !provider.AllowInsecureTransport)
        {
            // Citizens' personal data would cross the network in clear: only a provider on this machine may be
            // called without TLS, unless the operator says otherwise for this one provider.
            failures.Add(
                $"{key}:Endpoint '{provider.Endpoint}' is cleartext http:// to a host that is not loopback (127.0.0.0/8, ::1, localhost): " +
                $"use https://, or set {key}:AllowInsecureTransport to true to accept personal data crossing the network unencrypted.");
        }

        for (var k = 0; k < provider.KatoCodes.Count; k++)
        {
            if (KatoCode.Validate(provider.KatoCodes[k]) is { } problem)
            {
                failures.Add($"{key}:KatoCodes:{k} '{provider.KatoCodes[k]}': {problem.Description}");
            }
        }

        if (provider.Deadline is { } deadline)
        {
            CheckDeadline(failures, $"{key}:Deadline", deadline);
        }

        if (provider.MaxConcurrentCalls is < 1)
        {
            failures.Add($"{key}:MaxConcurrentCalls must be at least 1; it is {provider.MaxConcurrentCalls}.");
        }

        ConfigurationChecks.CheckPemFile(failures, $"{key}:CaCertificate", provider.CaCertificate, certificate: true);
        ConfigurationChecks.CheckPemFile(failures, $"{key}:ClientCertificate", provider.ClientCertificate, certificate: true);
        ConfigurationChecks.CheckPemFile(failures, $"{key}:ClientKey", provider.ClientKey, certificate: false);
        if (provider.ClientKey is not null && provider.ClientCertificate is null)
        {
            failures.Add($"{key}:ClientKey is set without {key}:ClientCertificate.");
        }
    }

    private static void CheckDeadline(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > MaximumDeadline)
        {
            failures.Add($"{key} must be above zero and at most {MaximumDeadline}; it is {value}.");
        }
    }

}
