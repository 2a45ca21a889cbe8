using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.HealthChecks;

namespace ProviderGateway.Hosting;

/// <summary>
/// How the process stops, in place of the host's console lifetime. On SIGTERM (an orchestrator, a load balancer's rolling
/// restart) the instance reports not ready at once (<see cref="ShutdownReadinessCheck"/>) and keeps serving for
/// <c>Gateway:Shutdown:NotReadyDelay</c>, so the load balancer stops sending it calls; then the host stops: Kestrel stops
/// accepting connections, sends HTTP/2 GOAWAY on the ones it has (clients open their next call elsewhere, without an
/// error) and lets the calls in flight finish for up to <c>Gateway:Shutdown:DrainTimeout</c> (the host's shutdown
/// timeout); then the journal writes what it holds and checkpoints (<c>Audit/AccessJournal</c>), and the process exits 0.
/// Ctrl+C (SIGINT) and SIGQUIT skip the delay: a person at a terminal is not a load balancer. A second signal ends the
/// process at once (exit 128 + the signal's number; the journal resumes after a torn line as after a crash).
/// </summary>
public sealed class GracefulShutdown(
    IHostApplicationLifetime lifetime,
    InstanceShutdown shutdown,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<GracefulShutdown> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _received;

    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        // A stop asked for in code (tests, the host's own StopAsync) makes the instance not ready too.
        lifetime.ApplicationStopping.Register(() => shutdown.Begin());
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _signals.Clear();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The runtime does not end the process: this class does, through the host.
        context.Cancel = true;
        var name = NameOf(context.Signal);
        if (Interlocked.Increment(ref _received) > 1)
        {
            HostingLog.StoppingNow(logger, name);
            Environment.Exit(128 + NumberOf(context.Signal));
            return;
        }

        shutdown.Begin();
        var settings = options.Value;
        var delay = context.Signal == PosixSignal.SIGTERM ? settings.NotReadyDelay : TimeSpan.Zero;
        HostingLog.Stopping(logger, name, delay, settings.DrainTimeout);
        _ = StopAfterAsync(delay);
    }

    private async Task StopAfterAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time).ConfigureAwait(false);
        }

        HostingLog.Draining(logger);
        lifetime.StopApplication();
    }

    private static string NameOf(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGTERM => "SIGTERM",
        PosixSignal.SIGINT => "SIGINT",
        PosixSignal.SIGQUIT => "SIGQUIT",
        _ => signal.ToString(),
    };

    private static int NumberOf(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
