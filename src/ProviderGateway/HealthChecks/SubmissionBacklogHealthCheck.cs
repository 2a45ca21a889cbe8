using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Submissions;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// Readiness of durable submissions: Degraded (still ready: desks are served) when a provider's oldest undelivered
/// submission is older than <see cref="SubmissionOptions.DegradedAfter"/>, or when the relay has not been able to count the
/// store for a minute (the store is unreachable); Healthy otherwise.
/// </summary>
public sealed class SubmissionBacklogHealthCheck(SubmissionBacklog backlog, IOptions<SubmissionOptions> options, TimeProvider time) : IHealthCheck
{
    /// <summary>The registration name.</summary>
    public const string Name = "submissions";

    private static readonly TimeSpan CountOverdue = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var current = backlog.Current;
        if (current.TakenAt is { } taken && now - taken > CountOverdue)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The submission store has not been counted since {taken:O}: it may be unreachable; deliveries wait."));
        }

        var late = current.Providers
            .Where(p => now - p.OldestAcceptedAt > options.Value.DegradedAfter)
            .Select(p => $"{p.ProviderId}: oldest undelivered accepted {(now - p.OldestAcceptedAt).TotalMinutes:F0} min ago ({p.Accepted + p.OnDelivery} open)")
            .ToList();
        return Task.FromResult(late.Count == 0
            ? HealthCheckResult.Healthy($"{current.Providers.Sum(p => p.Accepted + p.OnDelivery)} submissions open, none older than {options.Value.DegradedAfter}.")
            : HealthCheckResult.Degraded("Submissions wait too long: " + string.Join("; ", late) + "."));
    }
}
