using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using PollyCircuitState = Polly.CircuitBreaker.CircuitState;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// One provider as the gateway sees it, for <c>grpc.health.v1</c> (service <c>providergateway.provider.ID</c>)
/// and <c>/health</c>: healthy while its latest probe said SERVING and its circuit is not open.
/// </summary>
public sealed class ProviderHealthCheck(string providerId, ProviderRegistry registry, ProviderHealthMonitor monitor, ProviderResilience resilience) : IHealthCheck
{
    /// <summary>The health check registration name of a provider.</summary>
    public static string NameOf(string providerId) => "provider:" + providerId;

    /// <summary>The <c>grpc.health.v1</c> service name under which a provider's health is served.</summary>
    public static string GrpcServiceOf(string providerId) => "providergateway.provider." + providerId;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Find(providerId) is { } provider
            ? Judge(provider, monitor, resilience)
            : HealthCheckResult.Unhealthy($"Provider {providerId} is no longer configured."));

    /// <summary>Whether <paramref name="provider"/> can take calls: probed SERVING, circuit not open.</summary>
    internal static HealthCheckResult Judge(ProviderDescriptor provider, ProviderHealthMonitor monitor, ProviderResilience resilience)
    {
        if (resilience.CircuitStateOf(provider) is PollyCircuitState.Open or PollyCircuitState.Isolated)
        {
            return HealthCheckResult.Unhealthy($"{provider.Id}: circuit open (recent calls failed).");
        }

        return monitor.LatestOf(provider.Id)?.Health switch
        {
            ProviderHealth.Serving => HealthCheckResult.Healthy($"{provider.Id}: serving."),
            ProviderHealth.NotServing => HealthCheckResult.Unhealthy($"{provider.Id}: reports NOT_SERVING."),
            ProviderHealth.Unreachable => HealthCheckResult.Unhealthy($"{provider.Id}: unreachable."),
            _ => HealthCheckResult.Degraded($"{provider.Id}: not probed yet."),
        };
    }
}
