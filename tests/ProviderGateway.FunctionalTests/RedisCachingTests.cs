using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>Gateway instances sharing a real redis-server: L2, cross-instance invalidation, outages, personal data.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisCachingTests(RedisFixture redis)
{
    private static readonly Grpc.Core.Metadata NoCache = new() { { "cache-control", "no-cache" } };

    [Fact]
    public async Task A_write_on_instance_A_is_seen_live_on_instance_B()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var a = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        await using var b = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        var account = DemoData.Seed.UtilityAccounts.First(x => x.Meters.Count > 0 && x.Iin == DemoData.Seed.Citizens[2].Iin);
        var meter = account.Meters[0];
        var list = new ListUtilityAccountsRequest { Iin = account.Iin, PageSize = 100 };
        var firstOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);
        var cachedOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);

        await a.FrontDesk.CreateMeterReadingAsync(MeterReading(account, meter.LastReadingMilliUnits + 7_000));
        var afterWriteOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);

        Assert.All(cachedOnB.Sources, s => Assert.Equal(Freshness.Cached, s.Freshness));
        var source = afterWriteOnB.Sources.Single(s => s.ProviderId == account.ProviderId);
        Assert.Equal(Freshness.Live, source.Freshness);
        var shown = afterWriteOnB.Accounts.Single(x => x.Account.AccountNumber == account.AccountNumber).Account.Meters.Single(m => m.MeterId == meter.MeterId);
        Assert.Equal(meter.LastReadingMilliUnits + 7_000, shown.LastReadingMilliUnits);
        Assert.Equal(firstOnB.Accounts.Count, afterWriteOnB.Accounts.Count);
    }

    [Fact]
    public async Task An_answer_fetched_by_instance_A_is_served_from_Redis_by_instance_B_without_a_provider_call()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var a = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        await using var b = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        var parcel = DemoData.Seed.Parcels[3];
        var request = new GetParcelRequest { CadastralNumber = parcel.CadastralNumber };
        var keysBefore = (await redis.Server.DumpAsync()).Count;

        var onA = await a.FrontDesk.GetParcelAsync(request);
        // A stores in Redis in the background, so that no desk waits for it: wait until it is there.
        await UntilAsync(async () => (await redis.Server.DumpAsync()).Count > keysBefore);
        var callsBefore = providers["land-registry"].Calls["GetParcel"];
        var onB = await b.FrontDesk.GetParcelAsync(request);

        Assert.Equal(Freshness.Live, onA.Source.Freshness);
        Assert.Equal(Freshness.Cached, onB.Source.Freshness);
        Assert.Equal(onA.Parcel, onB.Parcel);
        Assert.Equal(onA.Source.FetchTime, onB.Source.FetchTime);
        Assert.Equal(callsBefore, providers["land-registry"].Calls["GetParcel"]);
    }

    [Fact]
    public async Task Redis_holds_no_personal_identifier_or_name_in_clear_after_every_kind_of_call()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var a = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        await using var b = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        foreach (var citizen in DemoData.Seed.Citizens)
        {
            await a.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen.Iin });
            await b.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = citizen.Iin });
            await b.FrontDesk.ListParcelsAsync(new ListParcelsRequest { Iin = citizen.Iin });
            await b.FrontDesk.ListBenefitsAsync(new ListBenefitsRequest { Iin = citizen.Iin });
        }

        foreach (var account in DemoData.Seed.UtilityAccounts.Take(20))
        {
            await a.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });
            await b.FrontDesk.ListUtilityInvoicesAsync(new ListUtilityInvoicesRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });
            await a.FrontDesk.ListUtilityPaymentsAsync(new ListUtilityPaymentsRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });
        }

        foreach (var parcel in DemoData.Seed.Parcels)
        {
            await a.FrontDesk.GetParcelAsync(new GetParcelRequest { CadastralNumber = parcel.CadastralNumber });
        }

        foreach (var benefit in DemoData.Seed.Benefits)
        {
            await b.FrontDesk.ListBenefitPaymentsAsync(new ListBenefitPaymentsRequest { ProviderId = benefit.ProviderId, Iin = benefit.Iin, BenefitId = benefit.BenefitId });
        }

        var meterAccount = DemoData.Seed.UtilityAccounts.First(x => x.Meters.Count > 0);
        await a.FrontDesk.CreateMeterReadingAsync(MeterReading(meterAccount, meterAccount.Meters[0].LastReadingMilliUnits + 1));
        await b.FrontDesk.CheckBenefitEligibilityAsync(new CheckBenefitEligibilityRequest { ProviderId = "social-insurance-fund", Iin = DemoData.Seed.Citizens[0].Iin, BenefitType = Contracts.SocialServices.V1.BenefitType.Pension });
        // Stores in Redis are in the background: wait until they have settled (the key count stops growing).
        await SettledAsync();

        var dump = await redis.Server.DumpAsync();
        var secrets = DemoData.Seed.Citizens.SelectMany(c => new[] { c.Iin, c.FullName, c.FullName.Split(' ')[0], c.Address.StreetAddress })
            .Concat(DemoData.Seed.UtilityAccounts.Select(x => x.AccountNumber))
            .Concat(DemoData.Seed.Parcels.Select(p => p.CadastralNumber))
            .Where(s => s.Length >= 5)
            .Distinct()
            .ToList();
        Assert.True(dump.Count > 100, $"only {dump.Count} keys: the workload did not reach Redis");
        foreach (var (key, value) in dump)
        {
            var text = Encoding.UTF8.GetString(value);
            var latin1 = Encoding.Latin1.GetString(value);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, key, StringComparison.Ordinal);
                Assert.False(text.Contains(secret, StringComparison.Ordinal) || latin1.Contains(secret, StringComparison.Ordinal), $"key {key} holds an identifier or a name in clear");
            }
        }
    }

    [Fact]
    public async Task The_gateway_answers_every_call_while_Redis_is_killed_and_uses_Redis_again_when_it_returns()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        var settings = TestGateway.WithRedis(redis.Server).WithCaching(c => c.Method("GetAccountBalance", TimeSpan.FromSeconds(2)));
        await using var a = await TestGateway.StartAsync(providers, settings);
        await using var b = await TestGateway.StartAsync(providers, settings);
        using var http = new HttpClient { BaseAddress = a.ManagementAddress };
        var load = new DeskLoad([a, b]);

        // 20 seconds of desk traffic on two instances: Redis dies at 5 s and comes back at 12 s.
        var traffic = load.RunAsync(TimeSpan.FromSeconds(20));
        await load.UntilElapsedAsync(TimeSpan.FromSeconds(5));
        await redis.Server.KillAsync();
        await load.UntilElapsedAsync(TimeSpan.FromSeconds(7));
        var healthDuringOutage = await http.GetFromJsonAsync<JsonElement>("/health");
        var latenciesDuringOutage = load.LatenciesSinceMs(TimeSpan.FromSeconds(6));
        await load.UntilElapsedAsync(TimeSpan.FromSeconds(12));
        await redis.Server.StartAgainAsync();
        await traffic;
        var hitsAfterRestart = await redis.Server.StatAsync("keyspace_hits");
        var healthAfter = await http.GetFromJsonAsync<JsonElement>("/health");

        Assert.True(load.Succeeded > 1000, $"only {load.Succeeded} calls were made");
        Assert.Empty(load.Failures);
        Assert.Equal("Degraded", healthDuringOutage.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", healthAfter.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.True(hitsAfterRestart > 0, "no answer was read from Redis after it came back");
        // No call waits for the dead Redis: the median call during the outage stays far below the Redis timeout (250 ms).
        Assert.True(Median(latenciesDuringOutage) < 100, $"median {Median(latenciesDuringOutage)} ms during the outage");
    }

    /// <summary>
    /// A refresh that found the answer unchanged updates one instance's memory only; with two instances sharing Redis and
    /// writes through each, no pre-write answer outlives a write on either.
    /// </summary>
    [Fact]
    public async Task Memory_only_refreshes_never_outlive_a_write_on_either_instance()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var a = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        await using var b = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server));
        var account = DemoData.Seed.UtilityAccounts.First(x => x.Meters.Count > 0 && x.Iin == DemoData.Seed.Citizens[2].Iin);
        var meter = account.Meters[0];
        var list = new ListUtilityAccountsRequest { Iin = account.Iin, PageSize = 100 };
        long Shown(ListUtilityAccountsResponse r) => r.Accounts.Single(x => x.Account.AccountNumber == account.AccountNumber).Account.Meters.Single(m => m.MeterId == meter.MeterId).LastReadingMilliUnits;
        var keys = (await redis.Server.DumpAsync()).Count;

        // A fetches and shares; A refreshes unchanged (memory only); B reads Redis's copy.
        await a.FrontDesk.ListUtilityAccountsAsync(list);
        await UntilAsync(async () => (await redis.Server.DumpAsync()).Count > keys);
        var refreshedOnA = await a.FrontDesk.ListUtilityAccountsAsync(list, NoCache);
        var cachedOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);

        // A write through B; then each instance reads, normally and with no-cache, twice.
        await b.FrontDesk.CreateMeterReadingAsync(MeterReading(account, meter.LastReadingMilliUnits + 9_000));
        var afterOnA = await a.FrontDesk.ListUtilityAccountsAsync(list);
        var afterOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);
        var noCacheOnA = await a.FrontDesk.ListUtilityAccountsAsync(list, NoCache);
        var noCacheOnA2 = await a.FrontDesk.ListUtilityAccountsAsync(list, NoCache);
        var laterOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);

        // A second write through A, after A's memory-only refresh of the post-write answer.
        await a.FrontDesk.CreateMeterReadingAsync(MeterReading(account, meter.LastReadingMilliUnits + 11_000));
        var secondOnA = await a.FrontDesk.ListUtilityAccountsAsync(list);
        var secondOnB = await b.FrontDesk.ListUtilityAccountsAsync(list);

        Assert.Equal(meter.LastReadingMilliUnits, Shown(refreshedOnA));
        Assert.Equal(meter.LastReadingMilliUnits, Shown(cachedOnB));
        Assert.All([afterOnA, afterOnB, noCacheOnA, noCacheOnA2, laterOnB], r => Assert.Equal(meter.LastReadingMilliUnits + 9_000, Shown(r)));
        Assert.All([secondOnA, secondOnB], r => Assert.Equal(meter.LastReadingMilliUnits + 11_000, Shown(r)));
        var fetchOnA = noCacheOnA2.Sources.Single(s => s.ProviderId == account.ProviderId).FetchTime;
        Assert.True(laterOnB.Sources.Single(s => s.ProviderId == account.ProviderId).FetchTime <= fetchOnA);
    }

    private static CreateMeterReadingRequest MeterReading(DemoSeedUtilityAccount account, long value)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));
        return new CreateMeterReadingRequest
        {
            ProviderId = account.ProviderId,
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = account.Meters[0].MeterId,
            ValueMilliUnits = value,
            ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        };
    }

    private static double Median(IReadOnlyList<double> values) =>
        values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the condition did not come true within 10 s");
            await Task.Yield();
        }
    }

    private async Task SettledAsync()
    {
        var previous = -1;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var count = (await redis.Server.DumpAsync()).Count;
            if (count == previous)
            {
                return;
            }

            previous = count;
        }
    }

    /// <summary>Desk-like traffic: repeated and new reads of every citizen, on several instances, with every failure kept.</summary>
    private sealed class DeskLoad(IReadOnlyList<TestGateway> gateways)
    {
        private readonly Stopwatch _clock = new();
        private readonly List<(TimeSpan At, double Milliseconds)> _latencies = [];
        private readonly List<string> _failures = [];
        private long _succeeded;

        public long Succeeded => Interlocked.Read(ref _succeeded);

        public IReadOnlyList<string> Failures
        {
            get
            {
                lock (_failures)
                {
                    return [.. _failures];
                }
            }
        }

        public async Task RunAsync(TimeSpan duration)
        {
            _clock.Start();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => WorkAsync(worker, duration)));
        }

        public async Task UntilElapsedAsync(TimeSpan elapsed)
        {
            // The load's own clock drives the scenario's steps (kill at 5 s, restart at 12 s).
            while (_clock.Elapsed < elapsed)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }

        public IReadOnlyList<double> LatenciesSinceMs(TimeSpan since)
        {
            lock (_latencies)
            {
                return [.. _latencies.Where(l => l.At >= since).Select(l => l.Milliseconds)];
            }
        }

        private async Task WorkAsync(int worker, TimeSpan duration)
        {
            var citizens = DemoData.Seed.Citizens;
            var accounts = DemoData.Seed.UtilityAccounts;
            for (var i = worker; _clock.Elapsed < duration; i++)
            {
                var gateway = gateways[i % gateways.Count];
                var started = _clock.Elapsed;
                try
                {
                    if (i % 3 == 0)
                    {
                        await gateway.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizens[i % citizens.Count].Iin });
                    }
                    else
                    {
                        var account = accounts[i % accounts.Count];
                        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });
                    }

                    Interlocked.Increment(ref _succeeded);
                }
                catch (RpcException ex)
                {
                    lock (_failures)
                    {
                        _failures.Add($"{started.TotalSeconds:F1}s {ex.StatusCode}: {ex.Status.Detail}");
                    }
                }

                lock (_latencies)
                {
                    _latencies.Add((started, (_clock.Elapsed - started).TotalMilliseconds));
                }
            }
        }
    }
}
