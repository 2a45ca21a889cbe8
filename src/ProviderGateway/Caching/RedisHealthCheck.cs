using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProviderGateway.Caching;

/// <summary>
/// Reports Redis: healthy when reachable (or not configured), degraded while it is not. Never unhealthy:
/// without Redis the gateway still answers, from memory and providers.
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
            { IsConnected: true } => HealthCheckResult.Healthy($"Connected to {redis.Endpoints}."),
            _ => HealthCheckResult.Degraded($"Redis at {redis.Endpoints} is unreachable: answering from memory and providers, retrying in the background."),
        });
}
