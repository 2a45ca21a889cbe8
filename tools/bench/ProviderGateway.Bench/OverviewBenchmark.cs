using Google.Protobuf;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Bench.Report;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;
using Utilities = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Bench;

/// <summary>
/// A citizen's overview fanned out to 5 providers that each take 20 ms: the gateway asks them in parallel, so
/// the overview should take little more than one provider's 20 ms (target: p50 at most 22 ms). Every request
/// says <c>cache-control: no-cache</c>, so each one really asks the 5 providers. Each round measures twice: one desk
/// at a time (1 in flight: what the fan-out itself adds to the slowest provider), and under load
/// (<see cref="Connections"/> x <see cref="Streams"/> in flight, as fast as the gateway answers: CPU then queues calls).
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

    /// <summary>
    /// Asks every provider of <paramref name="providers"/> for the citizen's accounts at once, directly (one channel each,
    /// no gateway), one fan-out at a time for <paramref name="duration"/>: the latency of the slowest of them, each time.
    /// </summary>
    private static async Task<Latencies> DirectFanOutAsync(IReadOnlyList<Uri> providers, TimeSpan duration)
    {
        var channels = providers.Select(p => Grpc.Net.Client.GrpcChannel.ForAddress(p)).ToList();
        try
        {
            var clients = channels.Select(c => new Utilities.UtilitiesService.UtilitiesServiceClient(c)).ToList();
            var request = new Utilities.ListAccountsRequest { Iin = Citizen };
            await Task.WhenAll(clients.Select(c => c.ListAccountsAsync(request).ResponseAsync));
            var elapsed = new List<long>();
            var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await Task.WhenAll(clients.Select(c => c.ListAccountsAsync(request).ResponseAsync));
                elapsed.Add(System.Diagnostics.Stopwatch.GetTimestamp() - started);
            }

            return Latencies.FromTimestamps(elapsed);
        }
        finally
        {
            channels.ForEach(c => c.Dispose());
        }
    }

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
            var (gateway, gatewayAddress, gatewayManagement) = await servers.StartGatewayAsync("gateway", providers, redisConfiguration, []);
            started.Add(gateway);

            var request = new FrontDesk.GetCitizenOverviewRequest { Iin = Citizen }.ToByteArray();
            var scenario = new Scenario("overview", "GetCitizenOverview fanned out to 5 providers of 20 ms each, cache bypassed", gatewayAddress, "providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview", request, [gateway], AnsweredCalls.Gateway(gatewayManagement));
            await GrpcCheck.CallAsync(scenario.Server, scenario.FullMethod, scenario.Request);

            // The floor: one of the providers asked directly, one call at a time (its 20 ms plus the timer's overshoot).
            var floor = new Scenario(
                "provider alone", "one provider's ListAccounts called directly", providers[0].Address, "providergateway.utilities.v1.UtilitiesService/ListAccounts",
                new Utilities.ListAccountsRequest { Iin = Citizen }.ToByteArray(), [started[0]], AnsweredCalls.DemoProvider(providers[0].Address, "ListAccounts"));
            await GrpcCheck.CallAsync(floor.Server, floor.FullMethod, floor.Request);
            string[] noCache = ["cache-control: no-cache"];

            Console.WriteLine($"warm-up overview ({settings.WarmUp.TotalSeconds:0} s)");
            await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), Connections, Streams, settings.WarmUp, workDirectory, null, noCache);
            var rounds = new List<OverviewRound>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var answeredBefore = await scenario.Answers.ReadAsync();
                var cpuBefore = gateway.CpuTime;
                var load = await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), Connections, Streams, settings.Measure, workDirectory, null, noCache);
                var cpu = (gateway.CpuTime - cpuBefore).TotalMicroseconds / Math.Max(1, load.Requests);
                load.RequireAllSucceeded(scenario.Name);

                // Every overview OK, and every provider call in it too (a fan-out answers OK with a failed source).
                AnsweredCalls.Verify(scenario.Name, await scenario.Answers.ReadAsync() - answeredBefore, load.Succeeded);

                // One desk at a time.
                answeredBefore = await scenario.Answers.ReadAsync();
                var alone = await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), 1, 1, settings.Measure, workDirectory, null, noCache);
                alone.RequireAllSucceeded(scenario.Name + " alone");
                AnsweredCalls.Verify(scenario.Name + " alone", await scenario.Answers.ReadAsync() - answeredBefore, alone.Succeeded);

                answeredBefore = await floor.Answers.ReadAsync();
                var provider = await H2Load.RunAsync(floor.Target, floor.GrpcFrame(), 1, 1, settings.Measure, workDirectory);
                provider.RequireAllSucceeded(floor.Name);
                AnsweredCalls.Verify(floor.Name, await floor.Answers.ReadAsync() - answeredBefore, provider.Succeeded);
                // The fan-out's own floor: the same 5 providers asked directly and at once by this process, one fan-out at a
                // time; each takes its 20 ms plus its timer's overshoot, and a fan-out waits for the slowest of the 5.
                var fanOut = await DirectFanOutAsync(providers.Select(p => p.Address).ToList(), settings.Measure);
                rounds.Add(new OverviewRound(
                    round, load.RequestsPerSecond, load.P50.TotalMilliseconds, load.P99.TotalMilliseconds, cpu, alone.P50.TotalMilliseconds, alone.P99.TotalMilliseconds,
                    provider.P50.TotalMilliseconds, provider.P99.TotalMilliseconds, fanOut.P50Milliseconds, fanOut.P99Milliseconds));
                Console.WriteLine($"round {round} overview: {load.RequestsPerSecond:0} req/s, p50 {load.P50.TotalMilliseconds:0.00} ms, p99 {load.P99.TotalMilliseconds:0.00} ms; alone p50 {alone.P50.TotalMilliseconds:0.00} ms, p99 {alone.P99.TotalMilliseconds:0.00} ms; one provider directly p50 {provider.P50.TotalMilliseconds:0.00} ms; the 5 directly at once p50 {fanOut.P50Milliseconds:0.00} ms");
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
/// <param name="Round">1, 2, ...</param>
/// <param name="RequestsPerSecond">Overviews per second under load.</param>
/// <param name="P50Milliseconds">Median latency under load.</param>
/// <param name="P99Milliseconds">99th percentile under load.</param>
/// <param name="GatewayCpuMicrosecondsPerRequest">Gateway CPU per overview under load.</param>
/// <param name="AloneP50Milliseconds">Median latency with one overview in flight at a time.</param>
/// <param name="AloneP99Milliseconds">99th percentile with one in flight.</param>
/// <param name="ProviderP50Milliseconds">Median latency of one of the providers called directly, one call at a time (the floor).</param>
/// <param name="ProviderP99Milliseconds">Its 99th percentile.</param>
/// <param name="DirectFanOutP50Milliseconds">Median latency of the 5 providers asked directly and at once by the benchmark (the slowest of them), one fan-out at a time.</param>
/// <param name="DirectFanOutP99Milliseconds">Its 99th percentile.</param>
public sealed record OverviewRound(
    int Round,
    double RequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    double GatewayCpuMicrosecondsPerRequest,
    double AloneP50Milliseconds,
    double AloneP99Milliseconds,
    double ProviderP50Milliseconds,
    double ProviderP99Milliseconds,
    double DirectFanOutP50Milliseconds,
    double DirectFanOutP99Milliseconds);

/// <summary>The overview scenario's figures.</summary>
public sealed record OverviewResult(int Providers, double ProviderLatencyMilliseconds, int InFlight, IReadOnlyList<OverviewRound> Rounds, long GatewayPeakRssBytes)
{
    /// <summary>The median over rounds of each round's p50.</summary>
    public double P50Milliseconds => Statistics.Median(Rounds.Select(r => r.P50Milliseconds));

    /// <summary>The median over rounds of each round's p99.</summary>
    public double P99Milliseconds => Statistics.Median(Rounds.Select(r => r.P99Milliseconds));

    /// <summary>The median over rounds of the p50 with one overview in flight.</summary>
    public double AloneP50Milliseconds => Statistics.Median(Rounds.Select(r => r.AloneP50Milliseconds));

    /// <summary>The median over rounds of the p99 with one overview in flight.</summary>
    public double AloneP99Milliseconds => Statistics.Median(Rounds.Select(r => r.AloneP99Milliseconds));

    /// <summary>The median over rounds of the p50 of one provider called directly.</summary>
    public double ProviderP50Milliseconds => Statistics.Median(Rounds.Select(r => r.ProviderP50Milliseconds));

    /// <summary>The median over rounds of the p99 of one provider called directly.</summary>
    public double ProviderP99Milliseconds => Statistics.Median(Rounds.Select(r => r.ProviderP99Milliseconds));

    /// <summary>The median over rounds of the p50 of the 5 providers asked directly and at once.</summary>
    public double DirectFanOutP50Milliseconds => Statistics.Median(Rounds.Select(r => r.DirectFanOutP50Milliseconds));

    /// <summary>The median over rounds of its p99.</summary>
    public double DirectFanOutP99Milliseconds => Statistics.Median(Rounds.Select(r => r.DirectFanOutP99Milliseconds));

    /// <summary>A Markdown paragraph and table.</summary>
    public string ToMarkdown() =>
        $"""
        **Overview fan-out**: GetCitizenOverview of a citizen with accounts at {Providers} providers that each take {ProviderLatencyMilliseconds:0} ms, cache bypassed (target: p50 at most 22 ms); one at a time, and {InFlight} in flight as fast as answered; beside them, one of the providers called directly, one call at a time: the floor the fan-out cannot beat.

        | in flight | p50 (median of rounds) | p99 | req/s | gateway CPU µs per request | gateway peak RSS |
        |---|---|---|---|---|---|
        | 1, one provider called directly (the floor) | {ProviderP50Milliseconds:0.00} ms | {ProviderP99Milliseconds:0.00} ms | | | |
        | 1, the {Providers} providers called directly and at once by the benchmark (the fan-out's own floor: the slowest of them) | {DirectFanOutP50Milliseconds:0.00} ms | {DirectFanOutP99Milliseconds:0.00} ms | | | |
        | 1 | {AloneP50Milliseconds:0.00} ms | {AloneP99Milliseconds:0.00} ms | | | |
        | {InFlight} | {P50Milliseconds:0.00} ms | {P99Milliseconds:0.00} ms | {Statistics.Median(Rounds.Select(r => r.RequestsPerSecond)):0} | {Statistics.Median(Rounds.Select(r => r.GatewayCpuMicrosecondsPerRequest)):0.0} | {GatewayPeakRssBytes / 1024.0 / 1024.0:0} MB |

        """;
}
