using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Core;

/// <summary>
/// Which consent scope covers which front-desk call: a domain's methods need its scope, the access history
/// <see cref="ConsentScope.AccessHistory"/>, and the overview the scope of each domain it asks (a provider whose
/// domain the consent does not cover is not asked).
/// </summary>
public static class ConsentScopes
{
    private static readonly Google.Protobuf.Reflection.EnumDescriptor ConsentScopeDescriptor =
        ConsentReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(ConsentScope));

    /// <summary>The groups whose methods each name a citizen, and so can need the citizen's consent.</summary>
    public static IReadOnlyList<string> Groups { get; } = ["overview", "utilities", "land_registry", "social_services", "access_history"];

    /// <summary>Whether a client's <c>RequireConsent</c> entry names such a group, or a method of one.</summary>
    public static bool CanRequire(string entry) =>
        Groups.Contains(entry) || (FrontDeskMethods.Find(entry) is { } method && Groups.Contains(method.Group));

    /// <summary>The scope a method of <paramref name="method"/>'s group needs; <c>null</c> for the overview (its domains') and for the rest.</summary>
    public static ConsentScope? Of(FrontDeskMethod method) => method.Group switch
    {
        "utilities" => ConsentScope.Utilities,
        "land_registry" => ConsentScope.LandRegistry,
        "social_services" => ConsentScope.SocialServices,
        "access_history" => ConsentScope.AccessHistory,
        _ => null,
    };

    /// <summary>The scope of a provider domain.</summary>
    public static ConsentScope Of(Domain domain) => domain switch
    {
        Domain.Utilities => ConsentScope.Utilities,
        Domain.LandRegistry => ConsentScope.LandRegistry,
        Domain.SocialServices => ConsentScope.SocialServices,
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "No provider domain."),
    };

    /// <summary>The provider domain of a scope; <c>null</c> for the access history.</summary>
    public static Domain? DomainOf(ConsentScope scope) => scope switch
    {
        ConsentScope.Utilities => Domain.Utilities,
        ConsentScope.LandRegistry => Domain.LandRegistry,
        ConsentScope.SocialServices => Domain.SocialServices,
        _ => null,
    };

    /// <summary>The scope's name in errors and the journal, as the contract spells it (<c>CONSENT_SCOPE_UTILITIES</c>).</summary>
    public static string NameOf(ConsentScope scope) =>
        ConsentScopeDescriptor.FindValueByNumber((int)scope)?.Name ?? ((int)scope).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
