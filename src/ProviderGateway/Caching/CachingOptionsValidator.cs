using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Caching;

/// <summary>
/// Checks the cache configuration at start-up: the secrets (a production gateway does not start without
/// them) and every policy override, naming each bad key. The plain ranges (sizes, timeouts, the key prefix) are
/// declared on <see cref="CachingOptions"/> and checked by <see cref="CachingOptionsDeclaredValidator"/>.
/// </summary>
public sealed class CachingOptionsValidator(IOptions<GatewayOptions> gateway) : IValidateOptions<CachingOptions>
{
    private const string Section = CachingOptions.SectionName;

    /// <summary>True when values are encrypted before they reach Redis.</summary>
    public static bool EncryptsValues(CachingOptions options) => options.EncryptValues ?? !string.IsNullOrWhiteSpace(options.Redis);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CachingOptions options)
    {
        var failures = new List<string>();
        if (ConfigurationChecks.Base64Length(options.KeySecret) is not >= 32)
        {
            failures.Add($"{Section}:KeySecret is missing or is not base64 of at least 32 bytes. Cache keys are keyed hashes of personal identifiers, so the gateway does not start without it; generate one with 'openssl rand -base64 32' and give every instance sharing a Redis the same (for example in the environment variable Gateway__Caching__KeySecret).");
        }

        if (EncryptsValues(options) && ConfigurationChecks.Base64Length(options.EncryptionKey) is not 32)
        {
            failures.Add($"{Section}:EncryptionKey is missing or is not base64 of exactly 32 bytes, and values stored in Redis are encrypted (AES-256-GCM) because {Section}:EncryptValues is {(options.EncryptValues is null ? "not set and Redis is configured" : "true")}. Generate one with 'openssl rand -base64 32' (for example in Gateway__Caching__EncryptionKey), or set {Section}:EncryptValues to false to store answers in clear.");
        }

        foreach (var (method, policy) in options.Methods)
        {
            CachePolicies.Validate($"{Section}:Methods:{method}", method, policy, failures);
        }

        IList<ProviderOptions> providers;
        try
        {
            providers = gateway.Value.Providers;
        }
        catch (OptionsValidationException)
        {
            // The gateway section is invalid: its own validator lists why; the caching problems are still listed here.
            providers = [];
        }

        for (var i = 0; i < providers.Count; i++)
        {
            foreach (var (method, policy) in providers[i].Caching)
            {
                CachePolicies.Validate($"{GatewayOptions.SectionName}:Providers:{i}:Caching:{method}", method, policy, failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
