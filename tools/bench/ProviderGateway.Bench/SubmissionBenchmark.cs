using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Identifiers;
using CertificateType = ProviderGateway.Contracts.LandRegistry.V1.CertificateType;

namespace ProviderGateway.Bench;

/// <summary>One round of the accept-cost measurement: the same writes to a down provider, refused (SYNC) and accepted.</summary>
/// <param name="Round">The round (from 1).</param>
/// <param name="Sync">SYNC writes: the provider's failure is the answer (the refusal path).</param>
/// <param name="Accepted">ACCEPT_WHEN_UNAVAILABLE writes: stored, a receipt is the answer.</param>
public sealed record AcceptRound(int Round, Latencies Sync, Latencies Accepted);

/// <summary>The submissions benchmark's result.</summary>
/// <param name="Store">The store measured (<c>sqlite</c>).</param>
/// <param name="Rounds">The accept-cost rounds.</param>
/// <param name="Queued">Submissions waiting when the provider came back.</param>
/// <param name="DeliveryConcurrency">Deliveries in flight the relay allows the provider.</param>
/// <param name="ProviderLatencyMs">The provider's latency per call.</param>
/// <param name="DrainSeconds">Time from the provider's return until it had applied every one.</param>
/// <param name="Applied">Writes the provider applied (each request_id once).</param>
/// <param name="AppliedTwice">Request_ids the provider applied more than once (must be 0).</param>
public sealed record SubmissionResult(string Store, IReadOnlyList<AcceptRound> Rounds, int Queued, int DeliveryConcurrency, int ProviderLatencyMs, double DrainSeconds, long Applied, int AppliedTwice)
{
    /// <summary>Deliveries per second achieved.</summary>
    public double DrainRate => Queued / DrainSeconds;

    /// <summary>The rate the concurrency allows: deliveries in flight / the provider's latency.</summary>
    public double CeilingRate => DeliveryConcurrency * 1000.0 / ProviderLatencyMs;
}

/// <summary>
/// Durable submissions (README "Durable submissions"): (1) what accepting a write costs, as the p50 of
/// CreateCertificateOrder calls to a land registry that is down, SYNC (the refusal path) against
/// ACCEPT_WHEN_UNAVAILABLE (stored durably, a receipt), interleaved in rounds from one client, one call in flight, each
/// call a new request_id and a new citizen; (2) how fast the queue drains: with every submission of the run waiting, the
/// provider comes back with a fixed latency and the time until it has applied them all is compared with the ceiling
/// the relay's concurrency allows. The gateway runs in its production configuration with a SQLite store.
/// </summary>
public sealed class SubmissionBenchmark(BenchSettings settings, string repositoryRoot, string workDirectory)
{
    private const string Provider = "land-registry";
    private const int ProviderLimit = 32;
    private const int LatencyMs = 20;
    private const string SealKey = "YmVuY2htYXJrLXN1Ym1pc3Npb24tc2VhbC1rZXktMzI=";
    private const string CitizenKey = "YmVuY2htYXJrLXN1Ym1pc3Npb24tY2l0aXplbi1rZXk=";

    private int _serial;

    /// <summary>Starts a provider, Redis and the gateway, measures, and returns the figures.</summary>
    public async Task<SubmissionResult> RunAsync()
    {
        var quick = settings.Mode == "quick";
        var perRound = quick ? 200 : 1000;
        var queued = quick ? 1000 : 10_000;
        var servers = new BenchServers(repositoryRoot);
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(Provider, "land-provider");
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (gateway, gatewayAddress, _) = await servers.StartGatewayAsync(
            "gateway-submissions",
            [(Provider, "land_registry", providerAddress)],
            redisConfiguration,
            [
                $"Gateway:Providers:0:MaxConcurrentCalls={ProviderLimit}",
                "Gateway:Submissions:Store=Sqlite",
                $"Gateway:Submissions:SqlitePath={Path.Combine(workDirectory, $"submissions-{Guid.NewGuid():N}.db")}",
                $"Gateway:Submissions:SealKey={SealKey}",
                $"Gateway:Submissions:CitizenKey={CitizenKey}",
            ]);
        await using var gatewayProcess = gateway;
        var channel = DeskClient.Channels(gatewayAddress, 1)[0];
        var desk = new FrontDeskService.FrontDeskServiceClient(channel);
        await SetFaultsAsync(providerAddress, """{"down":true}""");

        // (1) Accept cost, interleaved: SYNC first in odd rounds, ACCEPT first in even ones.
        await CallsAsync(desk, DeliveryMode.Sync, perRound / 4);
        await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, perRound / 4);
        var rounds = new List<AcceptRound>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            Latencies sync, accepted;
            if (round % 2 == 1)
            {
                sync = await CallsAsync(desk, DeliveryMode.Sync, perRound);
                accepted = await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, perRound);
            }
            else
            {
                accepted = await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, perRound);
                sync = await CallsAsync(desk, DeliveryMode.Sync, perRound);
            }

            rounds.Add(new AcceptRound(round, sync, accepted));
            Console.WriteLine($"submissions round {round}: SYNC refusal p50 {sync.P50Milliseconds:F3} ms, accepted p50 {accepted.P50Milliseconds:F3} ms");
        }

        // (2) Drain: fill the queue to its size (8 callers at once), then bring the provider back.
        var stored = (perRound / 4) + (perRound * settings.Rounds);
        var toQueue = Math.Max(0, queued - stored);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, toQueue / 8)));
        var total = stored + (toQueue / 8 * 8);
        var clock = Stopwatch.StartNew();
        await SetFaultsAsync(providerAddress, $$"""{"down":false,"latencyMs":{{LatencyMs}}}""");
        var (applied, twice) = (0L, 0);
        var deadline = TimeSpan.FromMinutes(quick ? 2 : 10);
        while (clock.Elapsed < deadline)
        {
            (applied, twice) = await WritesAsync(providerAddress);
            if (applied >= total)
            {
                break;
            }

            await Task.Delay(50);
        }

        var drained = clock.Elapsed.TotalSeconds;
        (applied, twice) = await WritesAsync(providerAddress);
        if (applied < total)
        {
            throw new InvalidOperationException($"Only {applied} of {total} submissions were applied within {deadline.TotalMinutes:0} min.");
        }

        return new SubmissionResult("sqlite", rounds, total, ProviderLimit / 2, LatencyMs, drained, applied, twice);
    }

    /// <summary>The report's section.</summary>
    public static string ToMarkdown(SubmissionResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Durable submissions ({result.Store} store)");
        text.AppendLine();
        text.AppendLine("| round | SYNC write refused (provider down) p50 / p99 | ACCEPT_WHEN_UNAVAILABLE, stored p50 / p99 | accept cost (p50 difference) |");
        text.AppendLine("|---|---|---|---|");
        foreach (var round in result.Rounds)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {round.Round} | {round.Sync.P50Milliseconds:F3} / {round.Sync.P99Milliseconds:F3} ms | {round.Accepted.P50Milliseconds:F3} / {round.Accepted.P99Milliseconds:F3} ms | {round.Accepted.P50Milliseconds - round.Sync.P50Milliseconds:F3} ms |");
        }

        var median = result.Rounds.Select(r => r.Accepted.P50Milliseconds - r.Sync.P50Milliseconds).Order().ElementAt(result.Rounds.Count / 2);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Accepting costs **{median:F3} ms p50** over a SYNC write's refusal (median of the rounds; target at most 2 ms).");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Drain: {result.Queued:N0} queued submissions, provider back at {result.ProviderLatencyMs} ms a call, {result.DeliveryConcurrency} deliveries in flight: applied in **{result.DrainSeconds:F1} s = {result.DrainRate:F0}/s**, {result.DrainRate / result.CeilingRate:P0} of the ceiling {result.CeilingRate:F0}/s; {result.Applied:N0} applied, {result.AppliedTwice} applied twice.");
        text.AppendLine();
        return text.ToString();
    }

    private async Task<Latencies> CallsAsync(FrontDeskService.FrontDeskServiceClient desk, DeliveryMode mode, int count)
    {
        var elapsed = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            var request = new CreateCertificateOrderRequest
            {
                ProviderId = Provider,
                RequestId = Guid.NewGuid().ToString(),
                Iin = NextIin(),
                CertificateType = CertificateType.RealEstateOwnership,
                DeliveryMode = mode,
            };
            var started = Stopwatch.GetTimestamp();
            try
            {
                var answer = await desk.CreateCertificateOrderAsync(request, DeskClient.Options(fresh: false, TimeSpan.FromSeconds(10)));
                if (mode != DeliveryMode.AcceptWhenUnavailable || answer.Submission is null)
                {
                    throw new InvalidOperationException($"A {mode} write to a down provider answered without a receipt: {answer}");
                }
            }
            catch (RpcException e) when (mode == DeliveryMode.Sync && e.StatusCode == StatusCode.Unavailable)
            {
                // The refusal path: the provider is down.
            }

            elapsed.Add(Stopwatch.GetTimestamp() - started);
        }

        return Latencies.FromTimestamps(elapsed);
    }

    // A new valid IIN per call: every write its own citizen, so per-citizen order serialises nothing.
    private string NextIin()
    {
        while (true)
        {
            var serial = Interlocked.Increment(ref _serial);
            if (Iin.Create(new DateOnly(1960, 1, 1).AddDays(serial / 9000), male: serial % 2 == 0, serial % 9000) is { } iin)
            {
                return iin;
            }
        }
    }

    private static HttpClient Control() => new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

    private static async Task SetFaultsAsync(Uri provider, string json)
    {
        using var http = Control();
        using var answer = await http.PutAsync(new Uri(provider, "/demo/faults"), new StringContent(json, Encoding.UTF8, "application/json"));
        answer.EnsureSuccessStatusCode();
    }

    private static async Task<(long Applied, int Twice)> WritesAsync(Uri provider)
    {
        using var http = Control();
        using var writes = JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/writes")));
        var twice = writes.RootElement.GetProperty("requests").EnumerateObject().Count(r => r.Value.GetProperty("applied").GetInt64() > 1);
        return (writes.RootElement.GetProperty("totalApplied").GetInt64(), twice);
    }
}
