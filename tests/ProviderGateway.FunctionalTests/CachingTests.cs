using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>The cache in one gateway instance: freshness, stampede protection, fail-safe, desk bypass.</summary>
public sealed class CachingTests
{
    [Fact]
    public async Task The_second_identical_overview_is_CACHED_and_makes_no_provider_call()
    {
        await using var gateway = await TestGateway.StartAsync();
        var request = new GetCitizenOverviewRequest { Iin = DemoData.Seed.Citizens[1].Iin };

        var first = await gateway.FrontDesk.GetCitizenOverviewAsync(request);
        var callsAfterFirst = TotalCalls(gateway.EmbeddedProviders);
        var second = await gateway.FrontDesk.GetCitizenOverviewAsync(request);

        Assert.All(first.Results, r => Assert.Equal(Freshness.Live, r.Source.Freshness));
        Assert.All(second.Results, r => Assert.Equal(Freshness.Cached, r.Source.Freshness));
        Assert.Equal(first.Results.Select(r => r.Source.FetchTime), second.Results.Select(r => r.Source.FetchTime));
        Assert.Equal(first.Results.Select(r => r.Utilities), second.Results.Select(r => r.Utilities));
        Assert.Equal(DemoData.Seed.Providers.Count, callsAfterFirst);
        Assert.Equal(callsAfterFirst, TotalCalls(gateway.EmbeddedProviders));
        Assert.True(second.Complete);
    }

    [Fact]
    public async Task Two_hundred_concurrent_identical_cold_requests_make_one_provider_call()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts[0];
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        // The provider takes a while, so every request arrives while the first is still waiting for it.
        provider.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => gateway.FrontDesk.GetUtilityAccountBalanceAsync(request).ResponseAsync));

        Assert.Equal(1, provider.Calls["GetAccountBalance"]);
        Assert.Single(answers, a => a.Source.Freshness == Freshness.Live);
        Assert.All(answers, a => Assert.Equal(account.Balance.MinorUnits, a.Balance.Balance.MinorUnits));
        Assert.Single(answers.Select(a => a.Source.FetchTime).Distinct());
    }

    [Fact]
    public async Task A_failing_provider_is_answered_STALE_with_the_original_fetch_time_until_the_maximum_age()
    {
        var duration = TimeSpan.FromMilliseconds(400);
        var maximumAge = TimeSpan.FromSeconds(2);
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithCaching(c => c
            .Method("GetAccountBalance", duration, failSafeMaxDuration: maximumAge)
            .FailSafeRetryAfter(TimeSpan.FromMilliseconds(100))));
        var account = DemoData.Seed.UtilityAccounts[0];
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };
        var live = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        var fetched = live.Source.FetchTime.ToDateTimeOffset();
        gateway.EmbeddedProviders[account.ProviderId].Faults.Down = true;

        // The scenario is about age: the answer has to grow older than its duration, then than its maximum age.
        await AgeAsync(fetched, duration);
        var stale = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        await AgeAsync(fetched, maximumAge);
        var error = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(request).ResponseAsync);

        Assert.Equal(Freshness.Live, live.Source.Freshness);
        Assert.Equal(Freshness.Stale, stale.Source.Freshness);
        Assert.Equal(live.Source.FetchTime, stale.Source.FetchTime);
        Assert.Equal(live.Balance, stale.Balance);
        Assert.Equal((int)StatusCode.OK, stale.Source.Status.Code);
        Assert.Equal("SERVED_STALE_AFTER_PROVIDER_FAILURE", stale.Source.Status.GetDetail<ErrorInfo>()!.Reason);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(account.ProviderId, error.GetRpcStatus()!.GetDetail<ErrorInfo>()!.Metadata["provider_id"]);
    }

    [Fact]
    public async Task A_desk_asking_for_no_cache_gets_a_fresh_answer_which_is_then_served_to_others()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts[1];
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };
        var noCache = new Metadata { { "cache-control", "no-cache" } };

        var first = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        var cached = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        var fresh = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request, noCache);
        var after = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);

        Assert.Equal([Freshness.Live, Freshness.Cached, Freshness.Live, Freshness.Cached], new[] { first, cached, fresh, after }.Select(a => a.Source.Freshness));
        Assert.Equal(2, provider.Calls["GetAccountBalance"]);
        Assert.Equal(fresh.Source.FetchTime, after.Source.FetchTime);
        Assert.True(fresh.Source.FetchTime.ToDateTimeOffset() > first.Source.FetchTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task Writes_are_never_cached_and_a_definitive_NOT_FOUND_is()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Meters.Count > 0);
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));
        var write = new CreateMeterReadingRequest
        {
            ProviderId = account.ProviderId,
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = account.Meters[0].MeterId,
            ValueMilliUnits = account.Meters[0].LastReadingMilliUnits + 1,
            ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        };
        var missing = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = "NO-SUCH-ACCOUNT" };

        await gateway.FrontDesk.CreateMeterReadingAsync(write);
        await gateway.FrontDesk.CreateMeterReadingAsync(write);
        var first = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(missing).ResponseAsync);
        var second = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(missing).ResponseAsync);

        Assert.Equal(2, provider.Calls["CreateMeterReading"]);
        Assert.Equal(StatusCode.NotFound, first.StatusCode);
        Assert.Equal(StatusCode.NotFound, second.StatusCode);
        Assert.Equal(1, provider.Calls["GetAccountBalance"]);
    }

    [Fact]
    public async Task A_write_removes_the_cached_answers_it_made_stale()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Meters.Count > 0);
        var meter = account.Meters[0];
        var overview = new GetCitizenOverviewRequest { Iin = account.Iin };
        await gateway.FrontDesk.GetCitizenOverviewAsync(overview);
        var cached = await gateway.FrontDesk.GetCitizenOverviewAsync(overview);

        await WriteReadingAsync(gateway, account, meter, meter.LastReadingMilliUnits + 42_000);
        var after = await gateway.FrontDesk.GetCitizenOverviewAsync(overview);

        Assert.All(cached.Results, r => Assert.Equal(Freshness.Cached, r.Source.Freshness));
        var written = after.Results.Single(r => r.Source.ProviderId == account.ProviderId);
        Assert.Equal(Freshness.Live, written.Source.Freshness);
        Assert.Equal(meter.LastReadingMilliUnits + 42_000, written.Utilities.Accounts.Single(a => a.AccountNumber == account.AccountNumber).Meters.Single(m => m.MeterId == meter.MeterId).LastReadingMilliUnits);
        Assert.All(after.Results.Where(r => r.Source.ProviderId != account.ProviderId), r => Assert.Equal(Freshness.Cached, r.Source.Freshness));
    }

    [Fact]
    public async Task After_a_write_a_read_whose_provider_fails_gets_the_pre_write_answer_as_STALE_never_CACHED()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Meters.Count > 0);
        var meter = account.Meters[0];
        var overview = new GetCitizenOverviewRequest { Iin = account.Iin };
        await gateway.FrontDesk.GetCitizenOverviewAsync(overview);
        await WriteReadingAsync(gateway, account, meter, meter.LastReadingMilliUnits + 7_000);
        gateway.EmbeddedProviders[account.ProviderId].Faults.Down = true;

        // The answers cached before the write are younger than their duration: age alone would call them CACHED.
        var first = await gateway.FrontDesk.GetCitizenOverviewAsync(overview);   // its own provider call fails
        var second = await gateway.FrontDesk.GetCitizenOverviewAsync(overview);  // within FailSafeRetryAfter: not asked again

        foreach (var answer in new[] { first, second })
        {
            var written = answer.Results.Single(r => r.Source.ProviderId == account.ProviderId);
            Assert.Equal(Freshness.Stale, written.Source.Freshness);
            Assert.Equal("SERVED_STALE_AFTER_PROVIDER_FAILURE", written.Source.Status.GetDetail<ErrorInfo>()?.Reason);
            Assert.False(answer.Complete);
        }
    }

    // A meter reading dated today in Kazakhstan (UTC+5), with a fresh request_id.
    private static Task WriteReadingAsync(TestGateway gateway, DemoSeedUtilityAccount account, DemoSeedMeter meter, long valueMilliUnits)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));
        return gateway.FrontDesk.CreateMeterReadingAsync(new CreateMeterReadingRequest
        {
            ProviderId = account.ProviderId,
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = meter.MeterId,
            ValueMilliUnits = valueMilliUnits,
            ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        }).ResponseAsync;
    }

    private static long TotalCalls(DemoProviderSet providers) => providers.Servers.Sum(s => s.Calls.Total);

    private static async Task AgeAsync(DateTimeOffset fetched, TimeSpan age)
    {
        var wait = fetched + age + TimeSpan.FromMilliseconds(50) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
