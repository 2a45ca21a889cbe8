using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.Core;
using ProviderGateway.Providers;

namespace ProviderGateway.Configuration;

/// <summary>
/// Checks the rules of <see cref="GatewayOptions"/> no attribute declares (the pattern, files, provider ids, domains,
/// endpoints, KATO codes) at start-up and reports every problem at once, each naming its configuration key, so an
/// operator can fix the file in one go. Ranges and required values: <see cref="GatewayOptionsDeclaredValidator"/>.
/// </summary>
public sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        const string section = GatewayOptions.SectionName;

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
        // An empty id, domain or endpoint is reported by the declared [Required] (GatewayOptionsDeclaredValidator).
        if (string.IsNullOrWhiteSpace(provider.Id))
        {
            // Nothing more to say about it.
        }
        else if (!ProviderId.IsValid(provider.Id))
        {
            failures.Add($"{key}:Id '{provider.Id}' must be 1 to 64 characters of a-z, 0-9 and '-', starting with a letter or digit.");
        }
        else if (!seen.Add(provider.Id))
        {
            failures.Add($"{key}:Id '{provider.Id}' is used by another provider; ids must be unique.");
        }

        if (!string.IsNullOrWhiteSpace(provider.Domain) && ProviderDomains.Parse(provider.Domain) is null)
        {
            failures.Add($"{key}:Domain '{provider.Domain}' is not one of: {string.Join(", ", ProviderDomains.Names)}.");
        }

        if (string.IsNullOrWhiteSpace(provider.Endpoint))
        {
            // Required: reported by the declared checks.
        }
        else if (!Uri.TryCreate(provider.Endpoint, UriKind.Absolute, out var endpoint)
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

        foreach (var (language, name) in provider.DisplayNames)
        {
            if (!Contracts.Localization.ErrorMessages.IsLanguage(language))
            {
                failures.Add($"{key}:DisplayNames:{language} names a language the desks do not speak: use kk, ru or en.");
            }
            else if (string.IsNullOrWhiteSpace(name) || name.Length > 120 || name.Any(char.IsControl))
            {
                failures.Add($"{key}:DisplayNames:{language} must be 1 to 120 characters without control characters.");
            }
        }

        for (var k = 0; k < provider.KatoCodes.Count; k++)
        {
            if (KatoCode.Validate(provider.KatoCodes[k]) is { } problem)
            {
                failures.Add($"{key}:KatoCodes:{k} '{provider.KatoCodes[k]}': {problem.Description}");
            }
        }

        ConfigurationChecks.CheckPemFile(failures, $"{key}:CaCertificate", provider.CaCertificate, certificate: true);
        ConfigurationChecks.CheckPemFile(failures, $"{key}:ClientCertificate", provider.ClientCertificate, certificate: true);
        ConfigurationChecks.CheckPemFile(failures, $"{key}:ClientKey", provider.ClientKey, certificate: false);
        if (provider.ClientKey is not null && provider.ClientCertificate is null)
        {
            failures.Add($"{key}:ClientKey is set without {key}:ClientCertificate.");
        }

        if (provider.ApiKey is { } apiKey)
        {
            failures.AddRange(ProviderApiKeys.Problems($"{key}:ApiKey", apiKey));
        }

        if (provider.OAuth2 is { } oauth2)
        {
            failures.AddRange(ProviderOAuth2.Problems($"{key}:OAuth2", oauth2, provider.AllowInsecureTransport));
            ConfigurationChecks.CheckPemFile(failures, $"{key}:OAuth2:CaCertificate", oauth2.CaCertificate, certificate: true);
            if (provider.ApiKey is { Header: "authorization" })
            {
                failures.Add($"{key}:ApiKey:Header is 'authorization', which carries the OAuth2 access token: send the key in another header.");
            }
        }
    }
}
