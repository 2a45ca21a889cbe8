using System.Diagnostics;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>A refresh that found the answer unchanged updates one instance's memory only; with two instances sharing Redis, no pre-write answer outlives a write on either.</summary>
[Collection(RedisCollection.Name)]
public sealed class UnchangedRefreshTests(RedisFixture redis)
{
    private static readonly Metadata NoCache = new() { { "cache-control", "no-cache" } };

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

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the condition did not come true within 10 s");
            await Task.Yield();
        }
    }
}
