using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;
using ProviderGateway.Bench.Report;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Identifiers;
using CertificateType = ProviderGateway.Contracts.LandRegistry.V1.CertificateType;

namespace ProviderGateway.Bench;

/// <summary>One mode's calls in one round of the accept-cost measurement.</summary>
/// <param name="Latencies">Their latencies, seen by the client.</param>
/// <param name="Reasons">How the provider failed, by the ErrorInfo reason of the answer (SYNC: the error's details; accepted: the receipt's <c>source</c>).</param>
/// <param name="ProviderCalls">Calls the provider received meanwhile (<c>/demo/calls</c>): the calls that reached it rather than fail fast at the breaker, plus any the relay tried in the background.</param>
/// <param name="GatewayCpuMicrosecondsPerCall">Gateway CPU (user + system) over the block, per call: the call's own work and whatever the gateway did meanwhile (the relay's rounds).</param>
/// <param name="StoreCpuMicrosecondsPerCall">The store server's CPU over the block, per call (PostgreSQL; 0 for SQLite, which is inside the gateway).</param>
public sealed record AcceptBlock(Latencies Latencies, IReadOnlyDictionary<string, int> Reasons, long ProviderCalls, double GatewayCpuMicrosecondsPerCall, double StoreCpuMicrosecondsPerCall);

/// <summary>One round of the accept-cost measurement: the same writes to a down provider, refused (SYNC) and accepted.</summary>
/// <param name="Round">The round (from 1).</param>
/// <param name="Sync">SYNC writes: the provider's failure is the answer (the refusal path, UNAVAILABLE).</param>
/// <param name="Accepted">ACCEPT_WHEN_UNAVAILABLE writes: stored durably, a receipt is the answer.</param>
/// <param name="QueuedBefore">Submissions already stored when the round began (the store grows through the run).</param>
public sealed record AcceptRound(int Round, AcceptBlock Sync, AcceptBlock Accepted, int QueuedBefore)
{
    /// <summary>What accepting costs over the refusal, this round: the difference of the p50s, in milliseconds.</summary>
    public double CostMilliseconds => Accepted.Latencies.P50Milliseconds - Sync.Latencies.P50Milliseconds;
}

/// <summary>The drain of a full queue once the provider is back.</summary>
/// <param name="Queued">Submissions waiting when the provider came back (each a distinct citizen and request_id).</param>
/// <param name="DeliveryConcurrency">Deliveries in flight the relay allows the provider (<c>MaxConcurrentDeliveries</c>, by default half its <c>MaxConcurrentCalls</c>).</param>
/// <param name="ProviderLatencyMs">The provider's latency per call once back.</param>
/// <param name="FirstDeliverySeconds">From the provider's return until the first delivery reached it (the breaker's remaining break, then the relay's next round).</param>
/// <param name="TenthSeconds">Until 10% of the queue had reached the provider.</param>
/// <param name="HalfSeconds">Until 50% had.</param>
/// <param name="NinetiethSeconds">Until 90% had.</param>
/// <param name="DrainSeconds">Until the provider reported every one applied (<c>/demo/writes</c> totalApplied).</param>
/// <param name="Applied">Writes the provider applied.</param>
/// <param name="Received">Writes the provider received (a replay of an applied one is received, not applied again).</param>
/// <param name="AppliedTwice">Request_ids the provider applied more than once (must be 0).</param>
/// <param name="NotApplied">Accepted request_ids the provider never applied (must be 0).</param>
/// <param name="Unexpected">Request_ids the provider applied that were never accepted (must be 0).</param>
/// <param name="GatewayCpuMicrosecondsPerDelivery">Gateway CPU (user + system) over the drain, per delivery.</param>
/// <param name="StoreCpuMicrosecondsPerDelivery">The store server's CPU over the drain, per delivery (PostgreSQL; 0 for SQLite, which is inside the gateway).</param>
public sealed record DrainResult(
    int Queued,
    int DeliveryConcurrency,
    int ProviderLatencyMs,
    double FirstDeliverySeconds,
    double TenthSeconds,
    double HalfSeconds,
    double NinetiethSeconds,
    double DrainSeconds,
    long Applied,
    long Received,
    int AppliedTwice,
    int NotApplied,
    int Unexpected,
    double GatewayCpuMicrosecondsPerDelivery,
    double StoreCpuMicrosecondsPerDelivery)
{
    /// <summary>Deliveries per second from the provider's return to the last one applied.</summary>
    public double Rate => Queued / DrainSeconds;

    /// <summary>Deliveries per second from the first delivery to the last (the breaker's break left out).</summary>
    public double RateAfterFirst => Queued / (DrainSeconds - FirstDeliverySeconds);

    /// <summary>Deliveries per second between 10% and 90% of the queue: the relay's steady rate.</summary>
    public double SteadyRate => 0.8 * Queued / (NinetiethSeconds - TenthSeconds);

    /// <summary>The rate the concurrency allows: deliveries in flight / the provider's latency.</summary>
    public double CeilingRate => DeliveryConcurrency * 1000.0 / ProviderLatencyMs;
}

/// <summary>The submissions benchmark's result for one store.</summary>
/// <param name="Store">The store measured (<c>sqlite</c> or <c>postgres</c>).</param>
/// <param name="Rounds">The accept-cost rounds.</param>
/// <param name="Drain">The drain of the queue.</param>
public sealed record SubmissionResult(string Store, IReadOnlyList<AcceptRound> Rounds, DrainResult Drain)
{
    /// <summary>The accept cost: median over the rounds of each round's p50 difference, in milliseconds.</summary>
    public double MedianCostMilliseconds => Statistics.Median(Rounds.Select(r => r.CostMilliseconds));
}

/// <summary>
/// Durable submissions (README "Durable submissions"), on SQLite and, when PostgreSQL 15 is installed, on PostgreSQL:
/// (1) what accepting a write costs, as the p50 of CreateCertificateOrder calls to a land registry that is down, SYNC (the
/// refusal path) against ACCEPT_WHEN_UNAVAILABLE (stored durably, a receipt), interleaved in rounds from one client, one
/// call in flight, each call a new request_id and a new citizen; (2) how fast the queue drains: with every submission of
/// the run waiting (10,000 in full mode), the provider comes back with a fixed latency and the time until it has applied
/// them all is compared with the rate the relay's concurrency allows, and every request_id is checked applied exactly once.
/// The gateway runs in its production configuration (as every scenario starts it, shipped logging levels) with the store.
/// </summary>
public sealed class SubmissionBenchmark(BenchSettings settings, string repositoryRoot, string workDirectory)
{
    private const string Provider = "land-registry";
    private const int ProviderLimit = 32;
    private const int LatencyMs = 20;
    private const string SealKey = "YmVuY2htYXJrLXN1Ym1pc3Npb24tc2VhbC1rZXktMzI=";
    private const string CitizenKey = "YmVuY2htYXJrLXN1Ym1pc3Npb24tY2l0aXplbi1rZXk=";

    // Deliveries in flight: Gateway:Submissions:MaxConcurrentDeliveries is left at its default, half the provider's limit.
    private const int DeliveryConcurrency = ProviderLimit / 2;

    private int _serial;

    /// <summary>Measures every store available: SQLite always, PostgreSQL when installed.</summary>
    public async Task<IReadOnlyList<SubmissionResult>> RunAsync()
    {
        var results = new List<SubmissionResult> { await RunAsync("sqlite") };
        if (BenchPostgres.BinFolder is null)
        {
            Console.WriteLine("submissions: PostgreSQL 15 is not installed (/usr/lib/postgresql/15/bin): its store is not measured.");
        }
        else
        {
            results.Add(await RunAsync("postgres"));
        }

        return results;
    }

    /// <summary>Starts a provider, Redis, the store's server and the gateway, measures, and returns the figures.</summary>
    private async Task<SubmissionResult> RunAsync(string store)
    {
        var quick = settings.Mode == "quick";
        var perRound = quick ? 200 : 1000;
        var queued = quick ? 1000 : 10_000;
        var servers = new BenchServers(repositoryRoot);
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(Provider, $"land-provider-{store}");
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        await using var postgres = store == "postgres" ? await BenchPostgres.StartAsync() : null;
        var (gateway, gatewayAddress, _) = await servers.StartGatewayAsync(
            $"gateway-submissions-{store}",
            [(Provider, "land_registry", providerAddress)],
            redisConfiguration,
            [
                $"Gateway:Providers:0:MaxConcurrentCalls={ProviderLimit}",
                "Gateway:Submissions:SealKey=" + SealKey,
                "Gateway:Submissions:CitizenKey=" + CitizenKey,
                .. postgres is null
                    ? (string[])["Gateway:Submissions:Store=Sqlite", $"Gateway:Submissions:SqlitePath={Path.Combine(workDirectory, $"submissions-{Guid.NewGuid():N}.db")}"]
                    : ["Gateway:Submissions:Store=Postgres", $"Gateway:Submissions:ConnectionString={postgres.ConnectionString}"],
            ]);
        await using var gatewayProcess = gateway;
        using var channel = DeskClient.Channels(gatewayAddress, 1)[0];
        var desk = new Desk(new FrontDeskService.FrontDeskServiceClient(channel), providerAddress, gateway, postgres?.Process);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        await SetFaultsAsync(providerAddress, """{"down":true}""");

        // Warm-up (JIT tiers, PGO, the store's pages) for the settings' warm-up: both modes alternately until a fixed number
        // were accepted (a quarter of a round in quick mode, a round in full mode), then SYNC only. The store holds the same
        // number when the rounds begin, whatever the store's speed: the accept cost grows with the queue.
        var warmUpAccepted = quick ? perRound / 4 : perRound;
        var warmUpClock = Stopwatch.StartNew();
        var (warmUpSync, warmUpAccept) = (0, 0);
        while (warmUpAccept < warmUpAccepted || warmUpClock.Elapsed < settings.WarmUp)
        {
            await CallsAsync(desk, DeliveryMode.Sync, 25, accepted);
            warmUpSync += 25;
            if (warmUpAccept < warmUpAccepted)
            {
                await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, 25, accepted);
                warmUpAccept += 25;
            }
        }

        Console.WriteLine($"submissions ({store}): warm-up {warmUpClock.Elapsed.TotalSeconds:F0} s, {warmUpSync} SYNC and {warmUpAccept} accepted calls");

        // (1) Accept cost, interleaved: SYNC first in odd rounds, ACCEPT first in even ones.
        var rounds = new List<AcceptRound>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var before = accepted.Count;
            AcceptBlock sync, accept;
            if (round % 2 == 1)
            {
                sync = await CallsAsync(desk, DeliveryMode.Sync, perRound, accepted);
                accept = await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, perRound, accepted);
            }
            else
            {
                accept = await CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, perRound, accepted);
                sync = await CallsAsync(desk, DeliveryMode.Sync, perRound, accepted);
            }

            var result = new AcceptRound(round, sync, accept, before);
            rounds.Add(result);
            Console.WriteLine(
                $"submissions ({store}) round {round}: SYNC refusal p50 {sync.Latencies.P50Milliseconds:F3} ms, accepted p50 {accept.Latencies.P50Milliseconds:F3} ms, " +
                $"cost {result.CostMilliseconds:F3} ms; reasons SYNC {Reasons(sync.Reasons)}, accepted {Reasons(accept.Reasons)}");
        }

        // (2) Drain: fill the queue to its size (8 callers at once, each its own citizens), then bring the provider back.
        var toQueue = queued - accepted.Count;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => CallsAsync(desk, DeliveryMode.AcceptWhenUnavailable, (toQueue / 8) + (i < toQueue % 8 ? 1 : 0), accepted)));
        if (accepted.Count != queued)
        {
            throw new InvalidOperationException($"{accepted.Count} submissions accepted, {queued} meant.");
        }

        // Deliveries the relay tried while the provider was down (the breaker half-open) reached it too: counted from here.
        var callsBefore = await ProviderCallsAsync(providerAddress);
        var gatewayCpu = gateway.CpuTime;
        var storeCpu = postgres?.Process.CpuTime ?? TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        await SetFaultsAsync(providerAddress, $$"""{"down":false,"latencyMs":{{LatencyMs}}}""");
        var marks = new[] { 1, (int)(queued * 0.1), queued / 2, (int)(queued * 0.9), queued };
        var reached = new double[marks.Length];
        var next = 0;
        var deadline = TimeSpan.FromMinutes(quick ? 3 : 10);

        // /demo/calls is small: polled until every delivery has reached the provider; /demo/writes (every request_id, about
        // 60 bytes each) only after that, so the polling takes little of the two cores the drain runs on.
        while (next < marks.Length && clock.Elapsed < deadline)
        {
            var calls = await ProviderCallsAsync(providerAddress) - callsBefore;
            while (next < marks.Length && calls >= marks[next])
            {
                reached[next++] = clock.Elapsed.TotalSeconds;
            }

            await Task.Delay(20);
        }

        Writes writes = default;
        while (clock.Elapsed < deadline)
        {
            writes = await WritesAsync(providerAddress, accepted);
            if (writes.Applied >= queued)
            {
                break;
            }

            await Task.Delay(20);
        }

        var drained = clock.Elapsed.TotalSeconds;
        var gatewayCpuPerDelivery = (gateway.CpuTime - gatewayCpu).TotalMicroseconds / queued;
        var storeCpuPerDelivery = ((postgres?.Process.CpuTime ?? TimeSpan.Zero) - storeCpu).TotalMicroseconds / queued;

        // A moment more: any second application of a request_id (a replay applied again) would show now.
        await Task.Delay(TimeSpan.FromSeconds(2));
        writes = await WritesAsync(providerAddress, accepted);
        if (writes.Applied < queued || next < marks.Length)
        {
            throw new InvalidOperationException($"Only {writes.Applied} of {queued} submissions were applied within {deadline.TotalMinutes:0} min.");
        }

        var drain = new DrainResult(
            queued, DeliveryConcurrency, LatencyMs, reached[0], reached[1], reached[2], reached[3], drained,
            writes.Applied, writes.Received, writes.AppliedTwice, writes.NotApplied, writes.Unexpected, gatewayCpuPerDelivery, storeCpuPerDelivery);
        Console.WriteLine(
            $"submissions ({store}) drain: {queued} in {drained:F1} s ({drain.Rate:F0}/s; steady {drain.SteadyRate:F0}/s; ceiling {drain.CeilingRate:F0}/s), " +
            $"applied {writes.Applied}, twice {writes.AppliedTwice}, not applied {writes.NotApplied}, unexpected {writes.Unexpected}");
        return new SubmissionResult(store, rounds, drain);
    }

    /// <summary>The report's section.</summary>
    public static string ToMarkdown(IReadOnlyList<SubmissionResult> results)
    {
        var text = new StringBuilder();
        foreach (var result in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### Durable submissions ({result.Store} store)");
            text.AppendLine();
            text.AppendLine("CreateCertificateOrder to a land registry that is down, one call in flight from one client, a new citizen and request_id per call; SYNC and ACCEPT_WHEN_UNAVAILABLE interleaved (SYNC first in odd rounds).");
            text.AppendLine();
            text.AppendLine("| round | queued before | SYNC refused (UNAVAILABLE) p50 / p99 | ACCEPT_WHEN_UNAVAILABLE, stored p50 / p99 | accept cost (p50 difference) | gateway CPU per call: SYNC / accepted | store server CPU per call | how the provider failed: SYNC / accepted | provider calls: SYNC / accepted |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var round in result.Rounds)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {round.Round} | {round.QueuedBefore:N0} | {round.Sync.Latencies.P50Milliseconds:F3} / {round.Sync.Latencies.P99Milliseconds:F3} ms | " +
                    $"{round.Accepted.Latencies.P50Milliseconds:F3} / {round.Accepted.Latencies.P99Milliseconds:F3} ms | {round.CostMilliseconds:F3} ms | " +
                    $"{round.Sync.GatewayCpuMicrosecondsPerCall:F0} / {round.Accepted.GatewayCpuMicrosecondsPerCall:F0} µs | " +
                    $"{(result.Store == "sqlite" ? "– (in the gateway)" : $"{round.Sync.StoreCpuMicrosecondsPerCall:F0} / {round.Accepted.StoreCpuMicrosecondsPerCall:F0} µs")} | " +
                    $"{Reasons(round.Sync.Reasons)} / {Reasons(round.Accepted.Reasons)} | {round.Sync.ProviderCalls} / {round.Accepted.ProviderCalls} |");
            }

            var cost = result.MedianCostMilliseconds;
            var drain = result.Drain;
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Accepting costs **{cost:F3} ms p50** over a SYNC write's refusal (median of the rounds' differences; SYNC p50 median {Statistics.Median(result.Rounds.Select(r => r.Sync.Latencies.P50Milliseconds)):F3} ms, " +
                $"accepted {Statistics.Median(result.Rounds.Select(r => r.Accepted.Latencies.P50Milliseconds)):F3} ms): target at most 2 ms, **{(cost <= 2 ? "met" : "not met")}**. " +
                $"The breaker opens on the first failures: from then on both modes fail fast at it the same way (the reasons above; a call that reaches the down provider is the breaker's trial every few seconds), so the difference is what storing costs (the write and commit, and the relay's round each acceptance wakes).");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Drain: **{drain.Queued:N0}** queued (distinct citizens), provider back at {drain.ProviderLatencyMs} ms a call, {drain.DeliveryConcurrency} deliveries in flight (half its MaxConcurrentCalls={ProviderLimit}): ceiling **{drain.CeilingRate:F0}/s**.");
            text.AppendLine();
            text.AppendLine("| from the provider's return | first delivery | 10% | 50% | 90% | all applied | rate overall | rate after the first | steady rate (10–90%) | gateway CPU per delivery | store server CPU per delivery |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| seconds | {drain.FirstDeliverySeconds:F2} | {drain.TenthSeconds:F2} | {drain.HalfSeconds:F2} | {drain.NinetiethSeconds:F2} | **{drain.DrainSeconds:F2}** | " +
                $"**{drain.Rate:F0}/s ({drain.Rate / drain.CeilingRate:P0})** | {drain.RateAfterFirst:F0}/s ({drain.RateAfterFirst / drain.CeilingRate:P0}) | {drain.SteadyRate:F0}/s ({drain.SteadyRate / drain.CeilingRate:P0}) | " +
                $"{drain.GatewayCpuMicrosecondsPerDelivery:F0} µs | {(drain.StoreCpuMicrosecondsPerDelivery > 0 ? $"{drain.StoreCpuMicrosecondsPerDelivery:F0} µs" : "– (in the gateway)")} |");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Exactly once: {drain.Applied:N0} applied of {drain.Queued:N0} ({drain.Received:N0} received), {drain.AppliedTwice} request_ids applied twice, {drain.NotApplied} accepted but not applied, {drain.Unexpected} applied but never accepted: " +
                $"**{(drain.Applied == drain.Queued && drain.AppliedTwice == 0 && drain.NotApplied == 0 && drain.Unexpected == 0 ? "each applied once" : "NOT each applied once")}**.");
            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Reasons(IReadOnlyDictionary<string, int> reasons) =>
        string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"));

    private async Task<AcceptBlock> CallsAsync(Desk desk, DeliveryMode mode, int count, HashSet<string> accepted)
    {
        var callsBefore = await ProviderCallsAsync(desk.Provider);
        var gatewayCpu = desk.Gateway.CpuTime;
        var storeCpu = desk.Store?.CpuTime ?? TimeSpan.Zero;
        var elapsed = new List<long>(count);
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
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
            string reason;
            try
            {
                var answer = await desk.Client.CreateCertificateOrderAsync(request, DeskClient.Options(fresh: false, TimeSpan.FromSeconds(10)));
                elapsed.Add(Stopwatch.GetTimestamp() - started);
                if (mode != DeliveryMode.AcceptWhenUnavailable || answer.Submission is null)
                {
                    throw new InvalidOperationException($"A {mode} write to a down provider answered without a receipt: {answer}");
                }

                reason = ReasonOf(answer.Source?.Status);
                lock (accepted)
                {
                    accepted.Add(request.RequestId);
                }
            }
            catch (RpcException e) when (mode == DeliveryMode.Sync && e.StatusCode == StatusCode.Unavailable)
            {
                // The refusal path: the provider is down (or its breaker open).
                elapsed.Add(Stopwatch.GetTimestamp() - started);
                reason = e.Trailers.GetValueBytes("grpc-status-details-bin") is { } details ? ReasonOf(Google.Rpc.Status.Parser.ParseFrom(details)) : "(no details)";
            }

            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
        }

        var gatewayCpuPerCall = (desk.Gateway.CpuTime - gatewayCpu).TotalMicroseconds / count;
        var storeCpuPerCall = ((desk.Store?.CpuTime ?? TimeSpan.Zero) - storeCpu).TotalMicroseconds / count;
        return new AcceptBlock(Latencies.FromTimestamps(elapsed), reasons, await ProviderCallsAsync(desk.Provider) - callsBefore, gatewayCpuPerCall, storeCpuPerCall);
    }

    private static string ReasonOf(Google.Rpc.Status? status) =>
        status?.Details.FirstOrDefault(d => d.Is(Google.Rpc.ErrorInfo.Descriptor))?.Unpack<Google.Rpc.ErrorInfo>().Reason is { Length: > 0 } reason
            ? reason
            : $"({(StatusCode)(status?.Code ?? 0)})";

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

    private static async Task<long> ProviderCallsAsync(Uri provider)
    {
        using var http = Control();
        using var calls = JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/calls")));
        return calls.RootElement.GetProperty("total").GetInt64();
    }

    private static async Task<Writes> WritesAsync(Uri provider, HashSet<string> accepted)
    {
        using var http = Control();
        using var writes = JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/writes")));
        var requests = writes.RootElement.GetProperty("requests").EnumerateObject().ToDictionary(r => r.Name, r => r.Value.GetProperty("applied").GetInt64(), StringComparer.Ordinal);
        return new Writes(
            writes.RootElement.GetProperty("totalApplied").GetInt64(),
            writes.RootElement.GetProperty("totalReceived").GetInt64(),
            requests.Count(r => r.Value > 1),
            accepted.Count(id => requests.GetValueOrDefault(id) == 0),
            requests.Count(r => r.Value > 0 && !accepted.Contains(r.Key)));
    }

    // The desk's client, and the processes each block of calls reads (the provider's count, the gateway's and store's CPU).
    private sealed record Desk(FrontDeskService.FrontDeskServiceClient Client, Uri Provider, MeteredProcess Gateway, MeteredProcess? Store);

    private readonly record struct Writes(long Applied, long Received, int AppliedTwice, int NotApplied, int Unexpected);
}
