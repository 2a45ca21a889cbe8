using ProviderGateway.Contracts.LandRegistry.V1;
using ProviderGateway.Contracts.SocialServices.V1;
using ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.DemoProviders;

/// <summary>The contract each provider domain implements.</summary>
internal static class DemoContracts
{
    /// <summary>The full gRPC service name of the domain's contract, for example "providergateway.utilities.v1.UtilitiesService".</summary>
    public static string ServiceNameOf(DemoDomain domain) => domain.Contract switch
    {
        Contracts.FrontDesk.V1.Domain.Utilities => UtilitiesService.Descriptor.FullName,
        Contracts.FrontDesk.V1.Domain.LandRegistry => LandRegistryService.Descriptor.FullName,
        Contracts.FrontDesk.V1.Domain.SocialServices => SocialServicesService.Descriptor.FullName,
        _ => throw new ArgumentOutOfRangeException(nameof(domain), domain, "Not a provider domain."),
    };
}
