using Google.Protobuf;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Bench.Report;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Bench;

/// <summary>
/// A citizen's overview fanned out to 5 providers that each take 20 ms: the gateway asks them in parallel, so
/// the overview should take little more than one provider's 20 ms (target: p50 at most 22 ms). Every request
/// says <c>cache-control: no-cache</c>, so each one really asks the 5 providers. Moderate load
/// (<see cref="Connections"/> x <see cref="Streams"/> in flight): this measures latency, not throughput.
/// </summary>
public sealed class OverviewBenchmark(BenchSettings settings, string repositoryRoot, string workDirectory)
{
    /// <summary>The citizen of the seed with accounts at 5 utility providers (Taldykorgan).</summary>
    public const string Citizen = "720119319078";

    /// <summary>Each provider's added latency.</summary>
    public static readonly TimeSpan ProviderLatency = TimeSpan.FromMilliseconds(20);

    private const int Connections = 4;
    private const int Streams = 4;

    private static readonly string[] Providers = ["zhetysu-power", "regional-water", "teplo-service", "qazaq-gas-demo", "tazalyk-waste"];

    /// <summary>Starts 5 slow providers, Redis and the gateway; measures; returns one result per round.</summary>
    public async Task<OverviewResult> RunAsync()
    {
        var servers = new BenchServers(repositoryRoot);
        var started = new List<MeteredProcess>();
        try
        {
            var providers = new List<(string Id, string Domain, Uri Address)>();
            foreach (var id in Providers)
            {
                var (process, address) = await servers.StartDemoProviderAsync(id, id, $"--Faults:LatencyMs={ProviderLatency.TotalMilliseconds:0}");
                started.Add(process);
                providers.Add((id, "utilities", address));
            }

            var (redis, redisConfiguration) = await servers.StartRedisAsync();
            started.Add(redis);
            var (gateway, gatewayAddress) = await servers.StartGatewayAsync("gateway", providers, redisConfiguration, []);
            started.Add(gateway);

            var request = new FrontDesk.GetCitizenOverviewRequest { Iin = Citizen }.ToByteArray();
            var scenario = new Scenario("overview", "GetCitizenOverview fanned out to 5 providers of 20 ms each, cache bypassed", gatewayAddress, "providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview", request, [gateway]);
            await GrpcCheck.CallAsync(scenario.Server, scenario.FullMethod, scenario.Request);
            string[] noCache = ["cache-control: no-cache"];

            Console.WriteLine($"warm-up overview ({settings.WarmUp.TotalSeconds:0} s)");
            await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), Connections, Streams, settings.WarmUp, workDirectory, null, noCache);
            var rounds = new List<OverviewRound>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var cpuBefore = gateway.CpuTime;
                var load = await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), Connections, Streams, settings.Measure, workDirectory, null, noCache);
                if (load.Succeeded != load.Requests)
                {
                    throw new InvalidOperationException($"overview: {load.Requests - load.Succeeded} of {load.Requests} requests did not succeed.");
                }

                var cpu = (gateway.CpuTime - cpuBefore).TotalMicroseconds / Math.Max(1, load.Requests);
                rounds.Add(new OverviewRound(round, load.RequestsPerSecond, load.P50.TotalMilliseconds, load.P99.TotalMilliseconds, cpu));
                Console.WriteLine($"round {round} overview: {load.RequestsPerSecond:0} req/s, p50 {load.P50.TotalMilliseconds:0.00} ms, p99 {load.P99.TotalMilliseconds:0.00} ms");
            }

            await GrpcCheck.CallAsync(scenario.Server, scenario.FullMethod, scenario.Request);
            return new OverviewResult(Providers.Length, ProviderLatency.TotalMilliseconds, Connections * Streams, rounds, gateway.PeakRssBytes);
        }
        finally
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }
        }
    }
}

/// <summary>One measured round of the overview scenario.</summary>
public sealed record OverviewRound(int Round, double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, double GatewayCpuMicrosecondsPerRequest);

/// <summary>The overview scenario's figures.</summary>
public sealed record OverviewResult(int Providers, double ProviderLatencyMilliseconds, int InFlight, IReadOnlyList<OverviewRound> Rounds, long GatewayPeakRssBytes)
{
    /// <summary>The median over rounds of each round's p50.</summary>
    public double P50Milliseconds => Statistics.Median(Rounds.Select(r => r.P50Milliseconds));

    /// <summary>The median over rounds of each round's p99.</summary>
    public double P99Milliseconds => Statistics.Median(Rounds.Select(r => r.P99Milliseconds));

    /// <summary>A Markdown paragraph and table.</summary>
    public string ToMarkdown() =>
        $"""
        **Overview fan-out**: GetCitizenOverview of a citizen with accounts at {Providers} providers that each take {ProviderLatencyMilliseconds:0} ms, cache bypassed, {InFlight} requests in flight (target: p50 at most 22 ms).

        | p50 (median of rounds) | p99 | req/s | gateway CPU µs per request | gateway peak RSS |
        |---|---|---|---|---|
        | {P50Milliseconds:0.00} ms | {P99Milliseconds:0.00} ms | {Statistics.Median(Rounds.Select(r => r.RequestsPerSecond)):0} | {Statistics.Median(Rounds.Select(r => r.GatewayCpuMicrosecondsPerRequest)):0.0} | {GatewayPeakRssBytes / 1024.0 / 1024.0:0} MB |

        """;
}
