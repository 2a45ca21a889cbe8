using System.Text.Json;
using Google.Protobuf;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Bench.Report;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;
using Utilities = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Bench;

/// <summary>
/// What one hop costs: the same account balance read directly from a demo provider (the baseline);
/// through the gateway asking the provider every time (caching off for the method: the uncached forward);
/// through YARP and nginx forwarding to the provider (general-purpose proxies, the peers); through the
/// gateway answering from memory (L1 hit); and through a gateway whose memory level is off, answering
/// from Redis (L2 hit). Every configuration runs once per round, in turn, and ratios are taken within a round.
/// </summary>
/// <remarks>
/// The gateway's scenarios serve the front-desk API with everything production has: API-key authentication,
/// access control with a client limited to the account holder's region (so every call checks the account's district),
/// the rate limit, the access journal (a line per call), validation, metrics. YARP and nginx only forward
/// bytes; that is the comparison the targets ask for.
/// </remarks>
public sealed class HopBenchmark(BenchSettings settings, string repositoryRoot, string workDirectory)
{
    /// <summary>The provider of the hop's account.</summary>
    public const string ProviderId = "alatau-power";

    /// <summary>The desk method the gateway's scenarios call.</summary>
    public const string DeskMethod = "providergateway.frontdesk.v1.FrontDeskService/GetUtilityAccountBalance";

    /// <summary>
    /// The settings of the gateway of a hop scenario (gateway-forward, l1-hit, redis-hit). The client may see the account
    /// holder's region only, as an office's key would: the district check runs on every call (the account's listing,
    /// from the cache), not the free pass of a client that may see everywhere.
    /// </summary>
    public static string[] GatewaySettings(string scenario, string region) =>
    [
        scenario switch
        {
            "gateway-forward" => "Gateway:Caching:Methods:GetAccountBalance:Enabled=false",
            "l1-hit" => "Gateway:Caching:MemoryCacheEnabled=true",
            "redis-hit" => "Gateway:Caching:MemoryCacheEnabled=false",
            _ => throw new ArgumentException($"No gateway in hop scenario '{scenario}' (gateway-forward, l1-hit, redis-hit).", nameof(scenario)),
        },
        $"Gateway:Security:Clients:0:Districts:0={region}",
    ];

    /// <summary>The desk's request of the gateway's scenarios.</summary>
    public static byte[] DeskRequest(string iin, string accountNumber, string katoCode) =>
        new FrontDesk.GetUtilityAccountBalanceRequest { ProviderId = ProviderId, Iin = iin, AccountNumber = accountNumber, KatoCode = katoCode }.ToByteArray();

    /// <summary>Starts everything, measures, and returns the report.</summary>
    public async Task<BenchReport> RunAsync()
    {
        var (iin, accountNumber, katoCode) = SeedAccount(repositoryRoot);
        var region = katoCode[..2];
        var servers = new BenchServers(repositoryRoot);

        // SERVERS
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(ProviderId);
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (memoryGateway, memoryAddress, memoryManagement) = await servers.StartGatewayAsync(
            "gateway", [(ProviderId, "utilities", providerAddress)], redisConfiguration, GatewaySettings("l1-hit", region));
        await using var memoryGatewayProcess = memoryGateway;
        var (redisGateway, redisAddress, redisManagement) = await servers.StartGatewayAsync(
            "gateway", [(ProviderId, "utilities", providerAddress)], redisConfiguration, GatewaySettings("redis-hit", region));
        await using var redisGatewayProcess = redisGateway;
        var (forwardingGateway, forwardingAddress, forwardingManagement) = await servers.StartGatewayAsync(
            "gateway", [(ProviderId, "utilities", providerAddress)], redisConfiguration, GatewaySettings("gateway-forward", region));
        await using var forwardingGatewayProcess = forwardingGateway;
        var (yarp, yarpAddress) = await servers.StartYarpAsync(providerAddress);
        await using var yarpProcess = yarp;
        var (bareForward, bareForwardAddress, _) = await servers.StartBareAsync("forward", providerAddress, redisConfiguration);
        await using var bareForwardProcess = bareForward;
        var (bareRedis, bareRedisAddress, bareRedisCalls) = await servers.StartBareAsync("redis", providerAddress, redisConfiguration);
        await using var bareRedisProcess = bareRedis;
        var nginx = await servers.StartNginxAsync(providerAddress, workDirectory);
        await using var nginxProcess = nginx?.Process;
        if (nginx is null)
        {
            Console.WriteLine("nginx is not installed: its scenario is skipped (tools/setup.sh installs it from Debian's packages).");
        }

        // SCENARIOS: the same account, the same answer, three paths.
        var direct = new Utilities.GetAccountBalanceRequest { Iin = iin, AccountNumber = accountNumber }.ToByteArray();
        var throughGateway = DeskRequest(iin, accountNumber, katoCode);
        const string ProviderMethod = "providergateway.utilities.v1.UtilitiesService/GetAccountBalance";
        // Direct, YARP and nginx: every call reaches the provider, which answers every one of them OK.
        var providerAnswers = AnsweredCalls.DemoProvider(providerAddress, "GetAccountBalance");
        Scenario[] scenarios =
        [
            new("direct", "a demo provider's GetAccountBalance called directly (the baseline)", providerAddress, ProviderMethod, direct, [provider], providerAnswers),
            new("gateway-forward", "the gateway's GetUtilityAccountBalance with caching off for the method: every call authenticated, journaled and forwarded to the provider", forwardingAddress, DeskMethod, throughGateway, [forwardingGateway, provider], AnsweredCalls.Gateway(forwardingManagement)),
            new("yarp", "YARP 2.3 forwarding GetAccountBalance to the provider (HTTP/2 in and out)", yarpAddress, ProviderMethod, direct, [yarp, provider], providerAnswers),
            .. nginx is { } n
                ? new[] { new Scenario("nginx", "nginx 1.22 grpc_pass to the provider (keep-alive upstream)", n.Address, ProviderMethod, direct, [n.Process, provider], providerAnswers) }
                : [],
            // The floor: what the stack itself costs with no safeguard (no authentication, access control, journal, metrics).
            new("bare-forward", "the floor of the forward: a bare gRPC server forwarding GetAccountBalance on Grpc.Net.Client, no safeguard", bareForwardAddress, ProviderMethod, direct, [bareForward, provider], providerAnswers),
            new("l1-hit", "the gateway's GetUtilityAccountBalance answered from its memory (L1), Redis configured", memoryAddress, DeskMethod, throughGateway, [memoryGateway, provider, redis], AnsweredCalls.Gateway(memoryManagement)),
            new("redis-hit", "the same through a gateway with its memory level off: every answer read from Redis (L2), decrypted, parsed", redisAddress, DeskMethod, throughGateway, [redisGateway, provider, redis], AnsweredCalls.Gateway(redisManagement)),
            new("bare-redis", "the floor of the Redis hit: a bare gRPC server answering GetAccountBalance from Redis with two GETs (the listing, the balance), no safeguard", bareRedisAddress, ProviderMethod, direct, [bareRedis, redis], AnsweredCalls.Bare(bareRedisCalls)),
        ];

        // CHECK: grpc-status 0 with the exact request bytes (h2load sees HTTP statuses only); this also fills the caches.
        var responseBytes = new Dictionary<string, int>();
        foreach (var scenario in scenarios)
        {
            responseBytes[scenario.Name] = await GrpcCheck.CallAsync(scenario.Server, scenario.FullMethod, scenario.Request);
        }

        // WARM-UP: tiered JIT and dynamic PGO need saturating load before numbers mean anything.
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"warm-up {scenario.Name} ({settings.WarmUp.TotalSeconds:0} s)");
            await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), settings.Connections, settings.Streams, settings.WarmUp, workDirectory);
        }

        // ROUNDS: every scenario once per round, in turn, so that ratios within a round share the machine's state.
        var runs = new List<RunResult>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                runs.Add(await MeasureAsync(round, scenario));
                var last = runs[^1];
                Console.WriteLine($"round {round} {scenario.Name}: {last.Load.RequestsPerSecond:0} req/s, p99 {last.Load.P99.TotalMilliseconds:0.00} ms");
            }
        }

        // CHECK AGAIN: still answering OK after the load.
        foreach (var scenario in scenarios)
        {
            await GrpcCheck.CallAsync(scenario.Server, scenario.FullMethod, scenario.Request);
        }

        return new BenchReport(settings, "direct", scenarios, runs, responseBytes);
    }

    private async Task<RunResult> MeasureAsync(int round, Scenario scenario)
    {
        var answeredBefore = await scenario.Answers.ReadAsync();
        var before = scenario.Processes.ToDictionary(p => p.Name, p => p.CpuTime);
        var load = await H2Load.RunAsync(scenario.Target, scenario.GrpcFrame(), settings.Connections, settings.Streams, settings.Measure, workDirectory);
        var cpuAfter = scenario.Processes.ToDictionary(p => p.Name, p => p.CpuTime);
        load.RequireAllSucceeded(scenario.Name);

        // Every response had grpc-status 0: the server's own count (read after the CPU, which it would add to).
        AnsweredCalls.Verify(scenario.Name, await scenario.Answers.ReadAsync() - answeredBefore, load.Succeeded);

        var cpu = scenario.Processes.ToDictionary(p => p.Name, p => (cpuAfter[p.Name] - before[p.Name]).TotalMicroseconds / Math.Max(1, load.Requests));
        cpu["h2load"] = load.LoadGeneratorCpu.TotalMicroseconds / Math.Max(1, load.Requests);
        return new RunResult(round, scenario.Name, load, cpu, scenario.Processes.ToDictionary(p => p.Name, p => p.PeakRssBytes));
    }

    /// <summary>The hop's account and its holder's KATO code, from the demo data's one source of truth (the seed file).</summary>
    public static (string Iin, string AccountNumber, string KatoCode) SeedAccount(string repositoryRoot)
    {
        using var seed = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repositoryRoot, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json")));
        var account = seed.RootElement.GetProperty("utilityAccounts").EnumerateArray().First(a => a.GetProperty("providerId").GetString() == ProviderId);
        var iin = account.GetProperty("iin").GetString()!;
        var holder = seed.RootElement.GetProperty("citizens").EnumerateArray().First(c => c.GetProperty("iin").GetString() == iin);
        return (iin, account.GetProperty("accountNumber").GetString()!, holder.GetProperty("katoCode").GetString()!);
    }
}
