using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Providers;

namespace ProviderGateway.HealthChecks;

/// <summary>
/// Active health checking: probes every provider's grpc.health.v1 on an interval, in the background, and
/// keeps the latest report of each for the directory. The first round runs before the gateway serves.
/// </summary>
public sealed partial class ProviderHealthMonitor(
    ProviderRegistry registry,
    ProviderHealthProbe probe,
    IOptions<ResilienceOptions> options,
    TimeProvider time,
    ILogger<ProviderHealthMonitor> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ProviderHealthReport> _latest = new(StringComparer.Ordinal);

    /// <summary>The latest probe of a provider; <c>null</c> before the first.</summary>
    public ProviderHealthReport? LatestOf(string providerId) => _latest.TryGetValue(providerId, out var report) ? report : null;

    /// <summary>Probes every provider once, now (also what each interval does).</summary>
    public async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(registry.All.Select(async provider =>
        {
            var report = await probe.CheckAsync(provider, cancellationToken).ConfigureAwait(false);
            if (_latest.TryGetValue(provider.Id, out var previous) && previous.Health != report.Health)
            {
                HealthChanged(logger, provider.Id, previous.Health.ToString(), report.Health.ToString());
            }

            _latest[provider.Id] = report;
        })).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ProbeAllAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HealthProbeInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ProbeAllAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Provider {ProviderId} health probe: {Previous} -> {Current}")]
    private static partial void HealthChanged(ILogger logger, string providerId, string previous, string current);
}
