using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// That this instance is stopping: set once, when the process is asked to stop (<c>Hosting/GracefulShutdown</c>), and
/// read by <see cref="ShutdownReadinessCheck"/>.
/// </summary>
public sealed class InstanceShutdown
{
    private int _stopping;

    /// <summary>Whether the instance was asked to stop.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>Marks the instance stopping; true the first time only.</summary>
    public bool Begin() => Interlocked.Exchange(ref _stopping, 1) == 0;
}

/// <summary>
/// Readiness: the instance is not stopping. From SIGTERM on, <c>/readyz</c> answers 503 and grpc.health.v1 NOT_SERVING,
/// while calls are still served for <c>Gateway:Shutdown:NotReadyDelay</c>, so the load balancer moves the desks to
/// another instance before this one stops accepting.
/// </summary>
public sealed class ShutdownReadinessCheck(InstanceShutdown shutdown) : IHealthCheck
{
    /// <summary>The registration name.</summary>
    public const string Name = "shutdown";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(shutdown.IsStopping
            ? HealthCheckResult.Unhealthy("The instance is stopping: it finishes the calls it has and takes no more.")
            : HealthCheckResult.Healthy("The instance is not stopping."));
}
