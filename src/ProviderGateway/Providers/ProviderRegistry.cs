using System.Collections.Frozen;
using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Core;

namespace ProviderGateway.Providers;

/// <summary>
/// The configured providers, validated, in configuration order (the order of every fan-out answer).
/// </summary>
public sealed class ProviderRegistry
{
    private readonly FrozenDictionary<string, ProviderDescriptor> _byId;

    /// <summary>Builds the registry from validated options.</summary>
    public ProviderRegistry(IOptions<GatewayOptions> options, IOptions<ResilienceOptions> resilience)
    {
        var gateway = options.Value;
        All = [.. gateway.Providers.Select(p => new ProviderDescriptor
        {
            Id = p.Id,
            DisplayName = string.IsNullOrWhiteSpace(p.DisplayName) ? p.Id : p.DisplayName.Trim(),
            DisplayNames = p.DisplayNames.Where(n => !string.IsNullOrWhiteSpace(n.Value)).ToFrozenDictionary(n => n.Key, n => n.Value.Trim(), StringComparer.Ordinal),
            Domain = ProviderDomains.Parse(p.Domain)!.Value,
            Endpoint = new Uri(p.Endpoint, UriKind.Absolute),
            KatoCodes = [.. p.KatoCodes],
            Deadline = p.Deadline ?? gateway.DefaultProviderDeadline,
            MaxConcurrentCalls = p.MaxConcurrentCalls ?? resilience.Value.MaxConcurrentCalls,
            CaCertificate = p.CaCertificate ?? gateway.ProviderCaCertificate,
            ClientCertificate = p.ClientCertificate,
            ClientKey = p.ClientKey,
            ApiKey = p.ApiKey is { } apiKey ? new ProviderApiKey(apiKey.Header, ProviderApiKeys.Read(apiKey)) : null,
            OAuth2 = p.OAuth2 is { } oauth2 ? new ProviderOAuth2Client(ProviderOAuth2Validator.Read(oauth2), oauth2.CaCertificate, oauth2.RefreshBeforeExpiry) : null,
            CachePerClient = p.CachePerClient,
        })];
        _byId = All.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
    }

    /// <summary>Every provider, in configuration order.</summary>
    public ImmutableArray<ProviderDescriptor> All { get; }

    /// <summary>The provider with this id, or <c>null</c>.</summary>
    public ProviderDescriptor? Find(string id) => _byId.GetValueOrDefault(id);
}
