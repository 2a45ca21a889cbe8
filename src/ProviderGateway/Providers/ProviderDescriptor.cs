using System.Collections.Immutable;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Identifiers;

namespace ProviderGateway.Providers;

/// <summary>A validated provider: what the gateway needs to route to it and call it.</summary>
public sealed record ProviderDescriptor
{
    /// <summary>The provider's gateway id.</summary>
    public required string Id { get; init; }

    /// <summary>Name shown to desks.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The name shown to desks per language (<c>kk</c>, <c>ru</c>, <c>en</c>), where configured.</summary>
    public System.Collections.Frozen.FrozenDictionary<string, string> DisplayNames { get; init; } = System.Collections.Frozen.FrozenDictionary<string, string>.Empty;

    /// <summary>The name shown to desks in <paramref name="language"/>: its own there, else <see cref="DisplayName"/>.</summary>
    public string NameIn(string language) => DisplayNames.GetValueOrDefault(language) ?? DisplayName;

    /// <summary>The contract it implements.</summary>
    public required Domain Domain { get; init; }

    /// <summary>Where it serves gRPC.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>KATO codes of the areas served; empty for the whole country.</summary>
    public required ImmutableArray<string> KatoCodes
    {
        get;
        init
        {
            field = value;
            _areaPrefixes = [.. value.Select(KatoCode.AreaPrefix)];
        }
    }

    /// <summary>How long each call may take.</summary>
    public required TimeSpan Deadline { get; init; }

    /// <summary>Most calls in flight to the provider at once.</summary>
    public required int MaxConcurrentCalls { get; init; }

    /// <summary>PEM file of the only certificate authority trusted for the provider's TLS certificate; <c>null</c>: the system's.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>PEM file of the client certificate presented to the provider (mutual TLS); <c>null</c>: none.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>PEM file of the client certificate's private key, when separate.</summary>
    public string? ClientKey { get; init; }

    /// <summary>The API key sent to the provider on every call; <c>null</c>: none.</summary>
    public ProviderApiKey? ApiKey { get; init; }

    /// <summary>The OAuth2 client credentials whose tokens go to the provider on every call; <c>null</c>: none.</summary>
    public ProviderOAuth2Client? OAuth2 { get; init; }

    /// <summary>True when cached answers are kept per client (the client is part of the cache key).</summary>
    public bool CachePerClient { get; init; }

    // The significant prefix of each served code, computed once: routing checks them on every call.
    private readonly ImmutableArray<string> _areaPrefixes = [];

    /// <summary>True when the provider is nationwide.</summary>
    public bool IsNationwide => KatoCodes.IsEmpty;

    /// <summary>
    /// True when the provider serves the unit <paramref name="katoCode"/> (a valid KATO code), or when
    /// no code is given (no district filter).
    /// </summary>
    public bool Serves(string? katoCode)
    {
        if (string.IsNullOrEmpty(katoCode) || IsNationwide)
        {
            return true;
        }

        foreach (var prefix in _areaPrefixes)
        {
            if (KatoCode.IsInArea(katoCode, prefix))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A provider's API key and the header that carries it. Its text form never shows the key.</summary>
/// <param name="Header">The metadata key.</param>
/// <param name="Key">The key.</param>
public sealed record ProviderApiKey(string Header, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"API key in '{Header}'";
}

/// <summary>A provider's OAuth2 client credentials, validated. Its text form never shows a secret.</summary>
/// <param name="Settings">The token endpoint, client and how it authenticates.</param>
/// <param name="CaCertificate">PEM file of the only authority trusted for the token endpoint; <c>null</c>: the system's.</param>
/// <param name="RefreshBeforeExpiry">How long before expiry a token is replaced.</param>
public sealed record ProviderOAuth2Client(ProviderGateway.Providers.OAuth2.ClientCredentialsSettings Settings, string? CaCertificate, TimeSpan RefreshBeforeExpiry)
{
    /// <inheritdoc />
    public override string ToString() => Settings.ToString();
}
