using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Providers failing in every way (slow, killed, hanging, flaky, saturated) as separate processes on
/// loopback: the desk never waits past its deadline, and one provider's trouble stays its own.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ResilienceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Metadata NoCache = new() { { "cache-control", "no-cache" } };

    [Fact]
    public async Task A_provider_five_times_slower_than_its_deadline_is_reported_DEADLINE_EXCEEDED_while_the_others_answer_in_time()
    {
        var deadline = TimeSpan.FromMilliseconds(300);
        await using var water = await StandaloneProvider.StartAsync("regional-water", "--Faults:LatencyMs=1500");
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var social = await StandaloneProvider.StartAsync("social-insurance-fund");
        await using var gateway = await TestGateway.StartAsync(
        [
            new ConfiguredProvider("regional-water", "utilities", water.Address, [], deadline),
            new ConfiguredProvider("land-registry", "land_registry", land.Address, [], deadline),
            new ConfiguredProvider("social-insurance-fund", "social_services", social.Address, [], deadline),
        ]);
        var citizen = DemoData.Seed.Citizens.First(c => DemoData.Seed.Parcels.Any(p => p.RightsHolders.Any(h => h.Iin == c.Iin)));
        await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[^1].Iin }); // connections and JIT

        var clock = Stopwatch.StartNew();
        var overview = await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen.Iin }, NoCache);
        clock.Stop();

        // Well under the slow provider's 1.5 s, with room for a busy 2-core machine (it once took 384 ms there).
        Assert.True(clock.Elapsed < deadline + TimeSpan.FromMilliseconds(300), $"the overview took {clock.Elapsed.TotalMilliseconds:F0} ms");
        var slow = overview.Results.Single(r => r.Source.ProviderId == "regional-water");
        Assert.Equal((int)StatusCode.DeadlineExceeded, slow.Source.Status.Code);
        Assert.Equal("PROVIDER_DEADLINE_EXCEEDED", slow.Source.Status.GetDetail<ErrorInfo>()!.Reason);
        Assert.All(overview.Results.Where(r => r.Source.ProviderId != "regional-water"), r => Assert.Equal((int)StatusCode.OK, r.Source.Status.Code));
        Assert.NotEmpty(overview.Results.Single(r => r.Source.ProviderId == "land-registry").LandRegistry.Parcels);
    }

    [Fact]
    public async Task The_desks_own_deadline_bounds_the_overview_when_shorter_than_the_providers()
    {
        await using var water = await StandaloneProvider.StartAsync("regional-water", "--Faults:LatencyMs=3000");
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var gateway = await TestGateway.StartAsync(
        [
            new ConfiguredProvider("regional-water", "utilities", water.Address, [], TimeSpan.FromSeconds(5)),
            new ConfiguredProvider("land-registry", "land_registry", land.Address, [], TimeSpan.FromSeconds(5)),
        ]);
        var deskDeadline = TimeSpan.FromMilliseconds(500);
        await gateway.FrontDesk.ListParcelsAsync(new ListParcelsRequest { Iin = DemoData.Seed.Citizens[^1].Iin }); // connections and JIT
        try
        {
            // The overview's own path with a late provider, once before it is timed: in a process where nothing
            // ran it yet (this test alone), JIT and first allocations make this first answer tens of ms late.
            await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[^1].Iin }, NoCache, deadline: DateTime.UtcNow + deskDeadline);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            // Late while cold: what the timed call below must not be.
        }

        var clock = Stopwatch.StartNew();
        var overview = await gateway.FrontDesk.GetCitizenOverviewAsync(
            new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[0].Iin },
            NoCache,
            deadline: DateTime.UtcNow + deskDeadline);
        clock.Stop();

        Assert.True(clock.Elapsed < deskDeadline, $"the overview took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal((int)StatusCode.DeadlineExceeded, overview.Results.Single(r => r.Source.ProviderId == "regional-water").Source.Status.Code);
        Assert.Equal((int)StatusCode.OK, overview.Results.Single(r => r.Source.ProviderId == "land-registry").Source.Status.Code);
    }

    [Fact]
    public async Task A_killed_provider_opens_its_circuit_then_calls_fail_fast_and_it_closes_again_when_the_provider_returns()
    {
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider("land-registry", "land_registry", land.Address, [])],
            new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 4, breakDuration: TimeSpan.FromSeconds(1))));
        var request = new GetParcelRequest { CadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber };
        await gateway.FrontDesk.GetParcelAsync(request, NoCache);

        await land.KillAsync();
        var failures = new List<string>();
        while (failures.Count < 20 && (failures.Count == 0 || failures[^1] != "PROVIDER_CIRCUIT_OPEN"))
        {
            failures.Add(Reason(await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetParcelAsync(request, NoCache).ResponseAsync)));
        }

        var fastFailures = new List<(string Reason, TimeSpan Took)>();
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetParcelAsync(request, NoCache).ResponseAsync);
            fastFailures.Add((Reason(error), clock.Elapsed));
        }

        var directoryWhileOpen = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());

        await land.RestartAsync();
        GetParcelResponse? recovered = null;
        var waiting = Stopwatch.StartNew();
        while (recovered is null && waiting.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                recovered = await gateway.FrontDesk.GetParcelAsync(request, NoCache);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                // Still open: the breaker lets a trial call through once its break is over.
                await Task.Delay(100);
            }
        }

        var directoryAfter = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest());
        Assert.Equal("PROVIDER_UNAVAILABLE", failures[0]);
        Assert.Equal("PROVIDER_CIRCUIT_OPEN", failures[^1]);
        Assert.All(fastFailures, f => Assert.Equal("PROVIDER_CIRCUIT_OPEN", f.Reason));
        // Failing fast: no connection attempt, no retries. The bound is loose because the machine is shared (5 ms failed
        // on a busy one); the reason above is what proves nothing was sent.
        Assert.All(fastFailures, f => Assert.True(f.Took < TimeSpan.FromMilliseconds(100), $"an open-circuit call took {f.Took.TotalMilliseconds:F2} ms"));
        Assert.Equal(CircuitState.Open, Assert.Single(directoryWhileOpen.Providers).CircuitState);
        Assert.NotNull(recovered);
        Assert.Equal(CircuitState.Closed, Assert.Single(directoryAfter.Providers).CircuitState);
    }

    [Fact]
    public async Task A_provider_failing_thirty_percent_of_calls_still_answers_idempotent_reads_and_retries_stay_within_budget()
    {
        await using var water = await StandaloneProvider.StartAsync("regional-water", "--Faults:ErrorRate=0.3", "--Faults:ErrorCode=Unavailable", "--Faults:RandomSeed=42");
        await using var gateway = await TestGateway.StartAsync([new ConfiguredProvider("regional-water", "utilities", water.Address, [])]);
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "regional-water");
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };
        const int Calls = 1000;
        var clock = Stopwatch.StartNew();

        var outcomes = new List<bool>();
        var reasons = new List<string>();
        foreach (var batch in Enumerable.Range(0, Calls).Chunk(10))
        {
            outcomes.AddRange(await Task.WhenAll(batch.Select(async _ =>
            {
                try
                {
                    await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request, NoCache);
                    return true;
                }
                catch (RpcException ex)
                {
                    lock (reasons)
                    {
                        reasons.Add(Reason(ex));
                    }

                    return false;
                }
            })));
        }

        var attempts = await CountAsync(water, "GetAccountBalance");
        var refusedByBudget = gateway.Application.App.Services.GetRequiredService<Resilience.ProviderResilience>()
            .BudgetOf(gateway.Application.App.Services.GetRequiredService<Providers.ProviderRegistry>().All[0]).Refused;
        var retries = attempts - Calls;
        var budget = (0.5 * Calls) + (10 * clock.Elapsed.TotalSeconds) + 100; // ratio, floor per second, and what is banked at start
        Assert.True(outcomes.Count(ok => ok) >= 990, $"{outcomes.Count(ok => ok)} of {Calls} reads succeeded; failures: {string.Join(", ", reasons.GroupBy(r => r).Select(g => $"{g.Key} x{g.Count()}"))}; retries refused by the budget: {refusedByBudget}");
        Assert.True(retries > 0, "the gateway did not retry");
        Assert.True(retries <= budget, $"{retries} retries for {Calls} calls: over the budget of {budget:F0}");
    }

    [Fact]
    public async Task A_hanging_provider_bounds_every_call_by_its_deadline_with_no_growth_in_threads_connections_or_memory()
    {
        var deadline = TimeSpan.FromMilliseconds(200);
        await using var water = await StandaloneProvider.StartAsync("regional-water", "--Faults:Hang=true");
        // The breaker would (rightly) stop calling a provider that never answers: kept closed here so that all
        // 1,000 calls really reach the hanging provider.
        await using var gateway = await TestGateway.StartAsync(
            [new ConfiguredProvider("regional-water", "utilities", water.Address, [], deadline)],
            new GatewaySettings().WithResilience(r => r.CircuitBreaker(minimumThroughput: 1_000_000)));
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "regional-water");
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

        async Task<TimeSpan[]> HangAsync(int count) => [.. (await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(request, NoCache).ResponseAsync);
            Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
            return clock.Elapsed;
        })))];

        for (var i = 0; i < 4; i++)
        {
            await HangAsync(50); // warm-up: connections, thread pool, JIT
        }

        var before = ProcessSnapshot.Now();
        await HangAsync(50); // untimed: the snapshot's forced full collection must not weigh on the timed calls
        var durations = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var batch = await HangAsync(50);
            output.WriteLine(
                $"batch {i}: slowest {batch.Max().TotalMilliseconds:F0} ms, pool threads {ThreadPool.ThreadCount}, pending {ThreadPool.PendingWorkItemCount}, " +
                $"gen2 collections {GC.CollectionCount(2)}, GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms in all, heap {GC.GetTotalMemory(false) >> 20} MB");
            durations.AddRange(batch);
        }

        var after = ProcessSnapshot.Now();
        Assert.Equal(1000, durations.Count);
        Assert.True(durations.Order().ElementAt(500) < deadline + TimeSpan.FromMilliseconds(100), $"median {durations.Order().ElementAt(500).TotalMilliseconds:F0} ms");
        Assert.All(durations, d => Assert.True(d < deadline + TimeSpan.FromMilliseconds(250), $"a call took {d.TotalMilliseconds:F0} ms"));
        // A thread held per hanging call would add hundreds; the thread pool's own hill climbing (the test host
        // shares it with the gateway and has a floor of 16) was seen to add up to 16 while exploring.
        Assert.True(after.Threads <= before.Threads + 32, $"threads {before.Threads} -> {after.Threads}");
        Assert.True(after.Sockets <= before.Sockets + 2, $"sockets {before.Sockets} -> {after.Sockets}");
        Assert.True(after.ManagedBytes <= before.ManagedBytes + (4 << 20), $"managed memory {before.ManagedBytes >> 10} KB -> {after.ManagedBytes >> 10} KB");
    }

    [Fact]
    public async Task A_saturated_provider_holds_at_most_its_limit_of_calls_and_the_others_are_unaffected()
    {
        await using var water = await StandaloneProvider.StartAsync("regional-water", "--Faults:LatencyMs=600");
        await using var land = await StandaloneProvider.StartAsync("land-registry");
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithProvider(p => p.Id("regional-water").Domain("utilities").Endpoint(water.Address).Deadline(TimeSpan.FromSeconds(3)).MaxConcurrentCalls(5))
            .WithProvider(p => p.Id("land-registry").Domain("land_registry").Endpoint(land.Address)));
        var account = DemoData.Seed.UtilityAccounts.First(a => a.ProviderId == "regional-water");
        var slow = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };
        var parcel = new GetParcelRequest { CadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber };
        await gateway.FrontDesk.GetParcelAsync(parcel, NoCache); // connection and JIT

        var toSlow = Enumerable.Range(0, 20).Select(async _ =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await gateway.FrontDesk.GetUtilityAccountBalanceAsync(slow, NoCache);
                return (Reason: "OK", Took: clock.Elapsed);
            }
            catch (RpcException ex)
            {
                return (Reason: Reason(ex), Took: clock.Elapsed);
            }
        }).ToList();
        var otherClock = Stopwatch.StartNew();
        var other = await gateway.FrontDesk.GetParcelAsync(parcel, NoCache);
        var otherTook = otherClock.Elapsed;
        var slowOutcomes = await Task.WhenAll(toSlow);

        Assert.Equal(5, slowOutcomes.Count(o => o.Reason == "OK"));
        Assert.Equal(15, slowOutcomes.Count(o => o.Reason == "PROVIDER_BUSY"));
        Assert.All(slowOutcomes.Where(o => o.Reason == "PROVIDER_BUSY"), o => Assert.True(o.Took < TimeSpan.FromMilliseconds(300), $"a refused call took {o.Took.TotalMilliseconds:F0} ms"));
        Assert.Equal(parcel.CadastralNumber, other.Parcel.CadastralNumber);
        Assert.True(otherTook < TimeSpan.FromMilliseconds(300), $"the other provider's call took {otherTook.TotalMilliseconds:F0} ms");
        Assert.Equal(5, await CountAsync(water, "GetAccountBalance"));
    }

    [Fact]
    public async Task Providers_are_called_over_TLS_trusting_the_configured_authority_only()
    {
        using var certificates = TestCertificates.Create();
        await using var land = await DemoProviderServer.StartAsync(new DemoProviderServerOptions
        {
            ProviderId = "land-registry",
            Url = "https://127.0.0.1:0",
            ServerCertificate = certificates.Server,
        });
        await using var trusting = await TestGateway.StartAsync(settings: new GatewaySettings()
            .WithProvider(p => p.Id("land-registry").Domain("land_registry").Endpoint(land.Address).CaCertificate(certificates.AuthorityPemFile)));
        await using var untrusting = await TestGateway.StartAsync([new ConfiguredProvider("land-registry", "land_registry", land.Address, [])]);
        var request = new GetParcelRequest { CadastralNumber = DemoData.Seed.Parcels[0].CadastralNumber };

        var answer = await trusting.FrontDesk.GetParcelAsync(request, NoCache);
        var refused = await Assert.ThrowsAsync<RpcException>(() => untrusting.FrontDesk.GetParcelAsync(request, NoCache).ResponseAsync);

        Assert.Equal("https", land.Address.Scheme);
        Assert.Equal(request.CadastralNumber, answer.Parcel.CadastralNumber);
        Assert.True(refused.StatusCode == StatusCode.Unavailable, refused.ToString());
    }

    private static string Reason(RpcException error) => error.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? error.StatusCode.ToString();

    private static Task<long> CountAsync(StandaloneProvider provider, string method) => provider.CallsAsync(method);

    /// <summary>Threads, open sockets and live managed memory of this process (gateway, clients and all).</summary>
    private sealed record ProcessSnapshot(int Threads, int Sockets, long ManagedBytes)
    {
        public static ProcessSnapshot Now()
        {
            var managed = GC.GetTotalMemory(forceFullCollection: true);
            var sockets = Directory.GetFiles("/proc/self/fd").Count(fd =>
                new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:", StringComparison.Ordinal));
            using var process = Process.GetCurrentProcess();
            return new ProcessSnapshot(process.Threads.Count, sockets, managed);
        }
    }
}
