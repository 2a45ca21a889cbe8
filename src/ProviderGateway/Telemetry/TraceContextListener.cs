using System.Diagnostics;

namespace ProviderGateway.Telemetry;

/// <summary>
/// Keeps W3C trace context flowing when no spans are recorded (no OTLP endpoint): ASP.NET Core starts an
/// activity for a call (continuing the desk's <c>traceparent</c>) only when something listens to it, and the
/// provider channels' HTTP handler sends the current activity's context on. This listener asks for
/// propagation only: activities exist, carry the trace id into logs and provider calls, and record nothing.
/// </summary>
public sealed class TraceContextListener : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
