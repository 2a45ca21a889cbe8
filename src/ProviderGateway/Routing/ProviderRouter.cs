using System.Collections.Immutable;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.Providers;

namespace ProviderGateway.Routing;

/// <summary>
/// Decides which providers serve a call: by domain, by district (KATO code, where a region code covers
/// its districts and a provider with no codes covers the whole country), or by the id the desk named.
/// </summary>
public sealed class ProviderRouter(ProviderRegistry registry)
{
    /// <summary>
    /// The providers a citizen-wide read fans out to, in configuration order: those of
    /// <paramref name="domain"/> (every domain when <see cref="Domain.Unspecified"/>) serving
    /// <paramref name="katoCode"/> (every district when empty).
    /// </summary>
    public ImmutableArray<ProviderDescriptor> FanOut(Domain domain, string? katoCode) =>
        [.. registry.All.Where(p => (domain == Domain.Unspecified || p.Domain == domain) && p.Serves(katoCode))];

    /// <summary>
    /// The one provider a call about a provider's resource goes to: the one named by
    /// <paramref name="providerId"/>, or else the only provider of the domain serving <paramref name="katoCode"/>.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">
    /// NOT_FOUND for an unknown id; INVALID_ARGUMENT for a provider of another domain or when several
    /// providers match and none is named; FAILED_PRECONDITION when none serves the district.
    /// </exception>
    public ProviderDescriptor Single(Domain domain, string? providerId, string? katoCode)
    {
        if (!string.IsNullOrEmpty(providerId))
        {
            var named = registry.Find(providerId) ?? throw GatewayErrors.UnknownProvider(providerId);
            return named.Domain == domain
                ? named
                : throw GatewayErrors.ProviderOfOtherDomain(providerId, ProviderDomains.NameOf(named.Domain), ProviderDomains.NameOf(domain));
        }

        var candidates = FanOut(domain, katoCode);
        return candidates.Length switch
        {
            1 => candidates[0],
            0 => throw GatewayErrors.NoProviderForDistrict(ProviderDomains.NameOf(domain), katoCode),
            _ => throw GatewayErrors.AmbiguousProvider(ProviderDomains.NameOf(domain), candidates.Select(c => c.Id)),
        };
    }
}
