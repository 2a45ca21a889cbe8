using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace ProviderGateway.FunctionalTests.Cluster;

/// <summary>One call of a steady load: when it started (from the load's start), which kind it was, how it ended.</summary>
public readonly record struct LoadedCall(TimeSpan Started, string Kind, StatusCode Status, string? Detail = null);

/// <summary>
/// An open-loop load: calls started at a steady rate whatever the answers take (as desks keep arriving), each awaited
/// apart; the outcome of every call.
/// </summary>
public static class SteadyLoad
{
    /// <summary>
    /// Starts <paramref name="callsPerSecond"/> calls a second until <paramref name="until"/> is done (and for at least
    /// <paramref name="atLeast"/>); <paramref name="start"/> gets the call's number, starts it and names its kind.
    /// </summary>
    public static async Task<IReadOnlyList<LoadedCall>> RunAsync(double callsPerSecond, Func<long, (string Kind, Task Call)> start, TimeSpan atLeast, Task? until = null)
    {
        var calls = new ConcurrentBag<LoadedCall>();
        var running = new List<Task>();
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1 / callsPerSecond);
        for (long n = 0; clock.Elapsed < atLeast || until is { IsCompleted: false }; n++)
        {
            var due = interval * n;
            var ahead = due - clock.Elapsed;
            if (ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead);
            }

            running.Add(OneAsync(n, clock.Elapsed));
        }

        await Task.WhenAll(running);
        if (until is not null)
        {
            await until;
        }

        return [.. calls.OrderBy(c => c.Started)];

        async Task OneAsync(long number, TimeSpan started)
        {
            await Task.Yield();
            var (kind, call) = start(number);
            try
            {
                await call;
                calls.Add(new LoadedCall(started, kind, StatusCode.OK));
            }
            catch (RpcException e)
            {
                calls.Add(new LoadedCall(started, kind, e.StatusCode, e.Status.Detail));
            }
        }
    }
}
