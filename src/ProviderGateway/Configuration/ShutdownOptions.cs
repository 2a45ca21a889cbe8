using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>
/// How an instance stops (<c>Gateway:Shutdown</c>): on SIGTERM it reports not ready at once, keeps serving for
/// <see cref="NotReadyDelay"/> so the load balancer notices, then stops accepting connections (HTTP/2 GOAWAY), lets the
/// calls in flight finish for up to <see cref="DrainTimeout"/>, writes and checkpoints the journal, and exits 0.
/// </summary>
public sealed class ShutdownOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Shutdown";

    /// <summary>
    /// How long an instance that received SIGTERM keeps accepting calls while it reports not ready (<c>/readyz</c> 503,
    /// grpc.health.v1 NOT_SERVING): at least the load balancer's health-check interval. Ctrl+C (SIGINT) skips it.
    /// Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan NotReadyDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest wait for calls in flight once the instance stopped accepting; calls still running then are ended.
    /// The journal is written and checkpointed after it either way. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
