using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProviderGateway.Caching;

/// <summary>
/// Reports Redis: healthy when reachable (or not configured), degraded while it is not. Never unhealthy:
/// without Redis the gateway still answers, from memory and providers. The descriptions never name Redis's address:
/// they reach <c>/health</c>, and the address is the operator's to know (from configuration), not a scraper's.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection? redis = null) : IHealthCheck
{
    /// <summary>The name of this check in health reports.</summary>
    public const string Name = "redis";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis switch
        {
            null => HealthCheckResult.Healthy("Not configured: the cache is memory only."),
            { IsConnected: true } => HealthCheckResult.Healthy("Connected."),
            _ => HealthCheckResult.Degraded("Unreachable: answering from memory and providers, retrying in the background."),
        });
}
