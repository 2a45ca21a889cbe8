using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProviderGateway.Configuration;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// Readiness: every domain that has providers configured (utilities, land registry, social services) has
/// at least one of them able to take calls. A gateway that cannot reach any provider of a domain is
/// not ready, so that a load balancer sends desks to an instance that can.
/// </summary>
public sealed class DomainReadinessCheck(ProviderRegistry registry, ProviderHealthMonitor monitor, ProviderResilience resilience) : IHealthCheck
{
    /// <summary>The registration name.</summary>
    public const string Name = "provider-domains";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unreachable = registry.All
            .GroupBy(p => p.Domain, p => ProviderHealthCheck.Judge(p, monitor, resilience))
            .Where(domain => !domain.Any(judged => judged.Status == HealthStatus.Healthy))
            .Select(domain => $"no provider of {DomainName(domain.Key)} can take calls ({string.Join("; ", domain.Select(judged => judged.Description))})")
            .ToList();
        return Task.FromResult(unreachable.Count == 0
            ? HealthCheckResult.Healthy($"Every domain has a provider serving ({registry.All.Length} providers).")
            : HealthCheckResult.Unhealthy(string.Join(" ", unreachable)));
    }

    private static string DomainName(Contracts.FrontDesk.V1.Domain domain) => domain switch
    {
        Contracts.FrontDesk.V1.Domain.Utilities => "utilities",
        Contracts.FrontDesk.V1.Domain.LandRegistry => "land_registry",
        Contracts.FrontDesk.V1.Domain.SocialServices => "social_services",
        _ => domain.ToString(),
    };
}
