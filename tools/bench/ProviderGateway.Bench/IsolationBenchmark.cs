using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Bench.Report;
using FrontDesk = ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Bench;

/// <summary>One measured round of the isolation benchmark.</summary>
/// <param name="Round">The round (from 1).</param>
/// <param name="Alone">Calls to the healthy provider with nothing else going on.</param>
/// <param name="WithHealthyNeighbour">The same calls while a third, healthy provider is called at the saturated rate: the cost of the extra traffic alone on two shared cores.</param>
/// <param name="WithNeighbourSaturated">The same calls while another provider is offered 1.5 times what its concurrency limit lets through.</param>
/// <param name="WithNeighbourOverloaded">The same calls while that provider is offered 12.5 times what its limit lets through.</param>
/// <param name="SaturatedAnswered">Calls the saturated provider actually received during the saturated run.</param>
/// <param name="OverloadedAnswered">Calls it actually received during the overloaded run.</param>
public sealed record IsolationRound(
    int Round,
    LoadResult Alone,
    LoadResult WithHealthyNeighbour,
    LoadResult WithNeighbourSaturated,
    LoadResult WithNeighbourOverloaded,
    long SaturatedAnswered,
    long OverloadedAnswered);

/// <summary>
/// Whether one provider's trouble stays its own: the p99 latency of fixed-rate calls to a healthy provider,
/// alone, while a slow provider is saturated (offered 1.5 times what its concurrency limit lets through) and
/// while it is overloaded (12.5 times); the excess fails fast at the gateway. All through the gateway, fresh
/// answers (cache-control: no-cache).
/// </summary>
public sealed class IsolationBenchmark(BenchSettings settings, string repositoryRoot, string workDirectory)
{
    private const string Healthy = "regional-water";
    private const string Slow = "alatau-power";
    private const string Neighbour = "zhetysu-power";
    private const int SlowLatencyMs = 100;
    private const int SlowLimit = 16;
    private const int SaturatedRate = 240;
    private const int OverloadedRate = 2000;

    /// <summary>Starts everything, measures interleaved rounds, and returns them.</summary>
    public async Task<IReadOnlyList<IsolationRound>> RunAsync()
    {
        var servers = new BenchServers(repositoryRoot);
        var (healthy, healthyAddress) = await servers.StartDemoProviderAsync(Healthy, "healthy-provider");
        await using var healthyProcess = healthy;
        var (slow, slowAddress) = await servers.StartDemoProviderAsync(Slow, "slow-provider", $"--Faults:LatencyMs={SlowLatencyMs}");
        await using var slowProcess = slow;
        var (neighbour, neighbourAddress) = await servers.StartDemoProviderAsync(Neighbour, "neighbour-provider");
        await using var neighbourProcess = neighbour;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (gateway, gatewayAddress, _) = await servers.StartGatewayAsync(
            "gateway",
            [(Healthy, "utilities", healthyAddress), (Slow, "utilities", slowAddress), (Neighbour, "utilities", neighbourAddress)],
            redisConfiguration,
            [$"Gateway:Providers:1:MaxConcurrentCalls={SlowLimit}"]);
        await using var gatewayProcess = gateway;

        var healthyFrame = Frame(Healthy);
        var slowFrame = Frame(Slow);
        var neighbourFrame = Frame(Neighbour);
        const string Method = "providergateway.frontdesk.v1.FrontDeskService/GetUtilityAccountBalance";
        var target = new Uri(gatewayAddress, "/" + Method);
        string[] noCache = ["cache-control: no-cache"];
        await GrpcCheck.CallAsync(gatewayAddress, Method, healthyFrame[5..]);
        await GrpcCheck.CallAsync(gatewayAddress, Method, slowFrame[5..]);
        await GrpcCheck.CallAsync(gatewayAddress, Method, neighbourFrame[5..]);

        // The healthy provider's desk traffic: a steady 1,000 calls a second. The slow provider can take 16 calls
        // in flight x 100 ms = 160 a second: "saturated" offers it 240 a second (its limit is always full and a
        // third of its calls fail fast), "overloaded" offers it 2,000 a second (twelve in thirteen fail fast, so
        // the gateway answers three times the calls of the healthy traffic alone on the same two cores).
        Task<LoadResult> HealthyLoad(TimeSpan duration) =>
            H2Load.RunAsync(target, healthyFrame, 4, 1, duration, workDirectory, requestsPerSecondPerConnection: 250, noCache);
        Task<LoadResult> NeighbourLoad(TimeSpan duration) =>
            H2Load.RunAsync(target, neighbourFrame, 4, 8, duration, workDirectory, requestsPerSecondPerConnection: SaturatedRate / 4, noCache);
        Task<LoadResult> SaturatingLoad(TimeSpan duration) =>
            H2Load.RunAsync(target, slowFrame, 4, 8, duration, workDirectory, requestsPerSecondPerConnection: SaturatedRate / 4, noCache);
        Task<LoadResult> OverloadingLoad(TimeSpan duration) =>
            H2Load.RunAsync(target, slowFrame, 8, 4, duration, workDirectory, requestsPerSecondPerConnection: OverloadedRate / 8, noCache);

        Console.WriteLine($"warm-up isolation ({settings.WarmUp.TotalSeconds:0} s)");
        await Task.WhenAll(HealthyLoad(settings.WarmUp), OverloadingLoad(settings.WarmUp));

        async Task<(LoadResult Healthy, long Answered)> WithNeighbourAsync(Func<TimeSpan, Task<LoadResult>> neighbourLoad)
        {
            var before = await CallsAsync(slowAddress);
            var other = neighbourLoad(settings.Measure + TimeSpan.FromSeconds(2));
            var healthy = await HealthyLoad(settings.Measure);
            await other;
            return (healthy, await CallsAsync(slowAddress) - before);
        }

        var rounds = new List<IsolationRound>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var alone = await HealthyLoad(settings.Measure);
            var busy = await WithNeighbourAsync(NeighbourLoad);
            var saturated = await WithNeighbourAsync(SaturatingLoad);
            var overloaded = await WithNeighbourAsync(OverloadingLoad);
            rounds.Add(new IsolationRound(round, alone, busy.Healthy, saturated.Healthy, overloaded.Healthy, saturated.Answered, overloaded.Answered));
            Console.WriteLine(
                $"round {round} isolation: p99 alone {alone.P99.TotalMilliseconds:0.00} ms, healthy neighbour {busy.Healthy.P99.TotalMilliseconds:0.00} ms, neighbour saturated {saturated.Healthy.P99.TotalMilliseconds:0.00} ms, " +
                $"neighbour overloaded {overloaded.Healthy.P99.TotalMilliseconds:0.00} ms");
        }

        return rounds;
    }

    /// <summary>The Markdown section of the report.</summary>
    public static string ToMarkdown(IReadOnlyList<IsolationRound> rounds)
    {
        string Row(string label, Func<IsolationRound, LoadResult> pick) =>
            string.Create(
                CultureInfo.InvariantCulture,
                $"| {label} | {Statistics.Median(rounds.Select(r => pick(r).RequestsPerSecond)):0} | {Statistics.Median(rounds.Select(r => pick(r).P50.TotalMilliseconds)):0.00} ms | " +
                $"{Statistics.Median(rounds.Select(r => pick(r).P99.TotalMilliseconds)):0.00} ms | {Statistics.Median(rounds.Select(r => pick(r).P99 / r.Alone.P99)):0.00} |");

        var capacity = 1000 / SlowLatencyMs * SlowLimit;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Isolation: calls to `{Healthy}` at 1,000/s, alone and while `{Slow}` ({SlowLatencyMs} ms per call, at most {SlowLimit} in flight, so {capacity}/s) is offered {SaturatedRate}/s (saturated) or {OverloadedRate}/s (overloaded); fresh answers; medians over {rounds.Count} interleaved round(s), ratios within each round.");
        text.AppendLine();
        text.AppendLine("| healthy provider's calls | req/s | p50 | p99 | p99 ratio |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine(Row("alone", r => r.Alone));
        text.AppendLine(Row($"healthy `{Neighbour}` called at {SaturatedRate}/s (control)", r => r.WithHealthyNeighbour));
        text.AppendLine(Row($"neighbour saturated ({SaturatedRate}/s offered)", r => r.WithNeighbourSaturated));
        text.AppendLine(Row($"neighbour overloaded ({OverloadedRate}/s offered)", r => r.WithNeighbourOverloaded));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"The slow provider received {Statistics.Median(rounds.Select(r => (double)r.SaturatedAnswered)):0} calls per saturated run and {Statistics.Median(rounds.Select(r => (double)r.OverloadedAnswered)):0} per overloaded run (its limit lets about {capacity} a second through); the rest failed fast with PROVIDER_BUSY.");
        return text.ToString();
    }

    private byte[] Frame(string providerId)
    {
        using var seed = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repositoryRoot, "src", "ProviderGateway.DemoProviders", "seed", "demo-seed.json")));
        var account = seed.RootElement.GetProperty("utilityAccounts").EnumerateArray().First(a => a.GetProperty("providerId").GetString() == providerId);
        var request = new FrontDesk.GetUtilityAccountBalanceRequest
        {
            ProviderId = providerId,
            Iin = account.GetProperty("iin").GetString()!,
            AccountNumber = account.GetProperty("accountNumber").GetString()!,
        }.ToByteArray();
        return Scenario.FrameOf(request);
    }

    private static async Task<long> CallsAsync(Uri provider)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var calls = JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/calls")));
        return calls.RootElement.GetProperty("total").GetInt64();
    }
}
