using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Net.Client;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Bench;

/// <summary>What the stampede benchmark measured.</summary>
/// <param name="Requests">Identical calls sent at once.</param>
/// <param name="Succeeded">Of them, OK with the same balance as the first.</param>
/// <param name="ProviderCalls">GetAccountBalance calls the provider received for them: the target is exactly 1.</param>
/// <param name="AllStartedBeforeFirstCompletion">Whether every call was started before the first one completed.</param>
/// <param name="ProviderLatencyMs">The provider's added latency per call.</param>
/// <param name="WallMilliseconds">From the first call started to the last completed.</param>
/// <param name="Latency">Latency of the calls, each from its own start.</param>
/// <param name="GatewayCpuMicrosecondsPerRequest">Gateway CPU time over the burst, per call.</param>
/// <param name="GatewayPeakRssBytes">Gateway's peak resident memory.</param>
public sealed record StampedeResult(
    int Requests,
    int Succeeded,
    long ProviderCalls,
    bool AllStartedBeforeFirstCompletion,
    int ProviderLatencyMs,
    double WallMilliseconds,
    Latencies Latency,
    double GatewayCpuMicrosecondsPerRequest,
    long GatewayPeakRssBytes)
{
    /// <summary>The Markdown section of the report.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Stampede: {Requests:N0} concurrent identical cold GetUtilityAccountBalance calls through the gateway (memory cache and Redis, both empty) to a provider taking {ProviderLatencyMs} ms per call; all started before any completed: {(AllStartedBeforeFirstCompletion ? "yes" : "no")}.");
        text.AppendLine();
        text.AppendLine("| requests | succeeded | provider calls (target 1) | wall time | p50 / p99 | gateway CPU µs per request | gateway peak RSS |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {Requests:N0} | {Succeeded:N0} | {ProviderCalls} | {WallMilliseconds:0} ms | {Latency.P50Milliseconds:0.0} / {Latency.P99Milliseconds:0.0} ms | {GatewayCpuMicrosecondsPerRequest:0.0} | {GatewayPeakRssBytes / 1024.0 / 1024.0:0} MB |");
        return text.ToString();
    }
}

/// <summary>
/// Stampede protection: 1,000 identical calls for one account arrive while the cache is cold and the
/// provider is slow (200 ms), so every one of them arrives while the first is still waiting. The gateway
/// should call the provider once and answer all 1,000 with that one answer.
/// </summary>
public sealed class StampedeBenchmark(BenchSettings settings, string repositoryRoot)
{
    private const string ProviderId = "alatau-power";
    private const int ProviderLatencyMs = 200;
    private const int Requests = 1000;

    // 100 calls per connection: Kestrel resets a connection with more than 200 unread calls (ENHANCE_YOUR_CALM).
    private const int Channels = 10;

    /// <summary>Starts the provider, Redis and the gateway, sends the burst, and returns what it measured.</summary>
    /// <exception cref="InvalidOperationException">When a call failed or answered another balance.</exception>
    public async Task<StampedeResult> RunAsync()
    {
        var accounts = SeedAccounts.Of(repositoryRoot, ProviderId);
        var servers = new BenchServers(repositoryRoot);
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(ProviderId, "provider", $"--Faults:LatencyMs={ProviderLatencyMs}");
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (gateway, gatewayAddress, _) = await servers.StartGatewayAsync("gateway", ProviderId, providerAddress, redisConfiguration, memoryCache: true);
        await using var gatewayProcess = gateway;

        var channels = DeskClient.Channels(gatewayAddress, Channels);
        try
        {
            var clients = channels.Select(c => new FrontDesk.FrontDeskService.FrontDeskServiceClient(c)).ToArray();

            // CONNECT: one call per channel for ANOTHER account, so that connections are open (and the gateway's
            // code paths jitted) while the stampede's account stays cold in memory and in Redis.
            await Task.WhenAll(clients.Select(c => c.GetUtilityAccountBalanceAsync(Request(accounts[^1]), DeskClient.Options(fresh: false, TimeSpan.FromSeconds(30))).ResponseAsync));

            Console.WriteLine($"stampede: {Requests} identical cold calls ({settings.Mode})");
            var before = await DemoCalls.PerMethodAsync(providerAddress);
            var cpuBefore = gateway.CpuTime;
            var burst = await BurstAsync(clients, Request(accounts[0]));
            var cpu = gateway.CpuTime - cpuBefore;
            var providerCalls = DemoCalls.Since(before, await DemoCalls.PerMethodAsync(providerAddress)).GetValueOrDefault("GetAccountBalance");

            var result = new StampedeResult(
                Requests,
                burst.Succeeded,
                providerCalls,
                burst.AllStartedBeforeFirstCompletion,
                ProviderLatencyMs,
                burst.WallMilliseconds,
                burst.Latency,
                cpu.TotalMicroseconds / Requests,
                gateway.PeakRssBytes);
            Console.WriteLine($"stampede: {result.Succeeded}/{Requests} succeeded, {providerCalls} provider call(s), wall {result.WallMilliseconds:0} ms");
            if (burst.Failures.Count > 0)
            {
                throw new InvalidOperationException($"stampede: {burst.Failures.Count} of {Requests} calls failed or answered another balance; first: {burst.Failures[0]}");
            }

            return result;
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    private static FrontDesk.GetUtilityAccountBalanceRequest Request(SeedAccount account) =>
        new() { ProviderId = ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

    // Starts every call first, then awaits them all; each call's latency runs from its own start.
    private static async Task<Burst> BurstAsync(FrontDesk.FrontDeskService.FrontDeskServiceClient[] clients, FrontDesk.GetUtilityAccountBalanceRequest request)
    {
        var started = new long[Requests];
        var calls = new Task<(FrontDesk.GetUtilityAccountBalanceResponse? Response, long Completed, string? Error)>[Requests];
        var first = Stopwatch.GetTimestamp();
        for (var i = 0; i < Requests; i++)
        {
            started[i] = Stopwatch.GetTimestamp();
            calls[i] = CallAsync(clients[i % clients.Length], request);
        }

        var lastStarted = Stopwatch.GetTimestamp();
        var outcomes = await Task.WhenAll(calls);
        var reference = outcomes.FirstOrDefault(o => o.Response is not null).Response?.Balance;
        var failures = outcomes
            .Select(o => o.Error ?? (o.Response!.Balance.Equals(reference) ? null : $"balance {o.Response.Balance} differs from {reference}"))
            .OfType<string>()
            .ToList();
        return new Burst(
            Requests - failures.Count,
            failures,
            outcomes.Min(o => o.Completed) > lastStarted,
            Stopwatch.GetElapsedTime(first, outcomes.Max(o => o.Completed)).TotalMilliseconds,
            Latencies.FromTimestamps(outcomes.Select((o, i) => o.Completed - started[i])));
    }

    private static async Task<(FrontDesk.GetUtilityAccountBalanceResponse? Response, long Completed, string? Error)> CallAsync(
        FrontDesk.FrontDeskService.FrontDeskServiceClient client,
        FrontDesk.GetUtilityAccountBalanceRequest request)
    {
        try
        {
            var response = await client.GetUtilityAccountBalanceAsync(request, DeskClient.Options(fresh: false, TimeSpan.FromSeconds(30)));
            return (response, Stopwatch.GetTimestamp(), response.Source.Status.Code == 0 ? null : $"source status {response.Source.Status}");
        }
        catch (Grpc.Core.RpcException e)
        {
            return (null, Stopwatch.GetTimestamp(), $"{e.StatusCode}: {e.Status.Detail}");
        }
    }

    private sealed record Burst(int Succeeded, IReadOnlyList<string> Failures, bool AllStartedBeforeFirstCompletion, double WallMilliseconds, Latencies Latency);
}
