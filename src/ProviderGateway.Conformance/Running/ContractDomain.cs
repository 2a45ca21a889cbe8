namespace ProviderGateway.Conformance.Running;

/// <summary>The provider contracts the kit checks; the command line names them as <c>utilities</c>, <c>land_registry</c> and <c>social_services</c>.</summary>
internal enum ContractDomain
{
    /// <summary><c>providergateway.utilities.v1.UtilitiesService</c>.</summary>
    Utilities,

    /// <summary><c>providergateway.landregistry.v1.LandRegistryService</c>.</summary>
    LandRegistry,

    /// <summary><c>providergateway.socialservices.v1.SocialServicesService</c>.</summary>
    SocialServices,
}

/// <summary>Names of <see cref="ContractDomain"/> on the command line and in reports.</summary>
internal static class ContractDomains
{
    /// <summary>The accepted names, as the gateway's configuration spells them (<c>landregistry</c> and <c>socialservices</c> are accepted too).</summary>
    public static readonly IReadOnlyList<string> Names = ["utilities", "land_registry", "social_services"];

    /// <summary>The domain a name denotes, or <c>null</c>.</summary>
    public static ContractDomain? Parse(string name) => name.Trim().ToLowerInvariant().Replace("-", "_", StringComparison.Ordinal) switch
    {
        "utilities" => ContractDomain.Utilities,
        "land_registry" or "landregistry" => ContractDomain.LandRegistry,
        "social_services" or "socialservices" => ContractDomain.SocialServices,
        _ => null,
    };

    /// <summary>The domain's name, for example <c>land_registry</c>.</summary>
    public static string NameOf(ContractDomain domain) => Names[(int)domain];
}
