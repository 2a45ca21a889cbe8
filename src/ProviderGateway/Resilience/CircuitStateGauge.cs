using System.Diagnostics.Metrics;
using ProviderGateway.Providers;
using ProviderGateway.Telemetry;
using PollyCircuitState = Polly.CircuitBreaker.CircuitState;

namespace ProviderGateway.Resilience;

/// <summary>
/// The circuit breaker of each provider as a gauge (<c>providergateway.provider.circuit.state</c> on the gateway's
/// meter): 0 closed, 1 half-open, 2 open. Created at start-up, so it is there before the first provider call.
/// </summary>
public sealed class CircuitStateGauge
{
    /// <summary>Creates the gauge.</summary>
    public CircuitStateGauge(IMeterFactory meters, ProviderRegistry registry, ProviderResilience resilience) =>
        meters.Create(GatewayMetrics.MeterName).CreateObservableGauge(
            "providergateway.provider.circuit.state",
            () => registry.All.Select(provider => new Measurement<int>(CircuitCode(resilience.CircuitStateOf(provider)), new KeyValuePair<string, object?>("provider", provider.Id))),
            unit: "{state}",
            description: "Circuit breaker of each provider: 0 closed, 1 half-open, 2 open.");

    private static int CircuitCode(PollyCircuitState state) => state switch
    {
        PollyCircuitState.Closed => 0,
        PollyCircuitState.HalfOpen => 1,
        _ => 2,
    };
}
