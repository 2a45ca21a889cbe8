using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Core;

/// <summary>The names of the provider domains in configuration, and their contract values.</summary>
public static class ProviderDomains
{
    /// <summary>The configuration names, in the order they are documented.</summary>
    public static IReadOnlyList<string> Names { get; } = ["utilities", "land_registry", "social_services"];

    /// <summary>Parses a configuration name (case-insensitive); <c>null</c> when unknown.</summary>
    public static Domain? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "utilities" => Domain.Utilities,
        "land_registry" => Domain.LandRegistry,
        "social_services" => Domain.SocialServices,
        _ => null,
    };

    /// <summary>The configuration name of a domain.</summary>
    public static string NameOf(Domain domain) => domain switch
    {
        Domain.Utilities => "utilities",
        Domain.LandRegistry => "land_registry",
        Domain.SocialServices => "social_services",
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "No provider domain."),
    };
}
