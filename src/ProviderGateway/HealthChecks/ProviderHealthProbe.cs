using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Providers;

namespace ProviderGateway.HealthChecks;

/// <summary>The health of a provider at a moment.</summary>
/// <param name="Health">What its health check said.</param>
/// <param name="CheckTime">When it was asked.</param>
public readonly record struct ProviderHealthReport(ProviderHealth Health, DateTimeOffset CheckTime);

/// <summary>
/// Asks a provider's standard <c>grpc.health.v1.Health/Check</c> (the overall service, "") on its
/// shared channel, bounded by <see cref="GatewayOptions.HealthCheckTimeout"/>.
/// </summary>
public sealed class ProviderHealthProbe(ProviderChannels channels, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly TimeSpan _timeout = options.Value.HealthCheckTimeout;

    /// <summary>Checks one provider. Never throws for the provider's failures; only for <paramref name="cancellationToken"/>.</summary>
    public async Task<ProviderHealthReport> CheckAsync(ProviderDescriptor provider, CancellationToken cancellationToken)
    {
        var checkTime = time.GetUtcNow();
        var client = new Grpc.Health.V1.Health.HealthClient(channels.InvokerFor(provider));
        try
        {
            var reply = await client.CheckAsync(
                new HealthCheckRequest(),
                deadline: checkTime.UtcDateTime + _timeout,
                cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            var health = reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? ProviderHealth.Serving
                : ProviderHealth.NotServing;
            return new(health, checkTime);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(ProviderHealth.Unreachable, checkTime);
        }
    }
}
