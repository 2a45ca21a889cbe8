using System.Diagnostics;
using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.FunctionalTests.Operations;
using StackExchange.Redis;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Whoever can write to Redis cannot make the gateway serve one citizen's cached answer as another's: values are
/// bound to their key, and one that does not open is a counted miss, never an answer.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSealedValueTests(RedisFixture redis)
{
    private const string RejectedMetric = "providergateway_cache_values_rejected_total";

    public static TheoryData<bool> Encryption => [true, false];

    [Theory]
    [MemberData(nameof(Encryption))]
    public async Task Citizen_A_entry_copied_onto_citizen_B_key_is_a_counted_miss_and_B_gets_its_own_data_from_the_provider(bool encrypted)
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var gateway = await TestGateway.StartAsync(providers, Settings(encrypted));
        var (a, b) = TwoCitizensOfOneProvider();
        var provider = providers[a.ProviderId];
        var keyOfA = await CachedKeyOfAsync(a, () => gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(a)).ResponseAsync);
        var keyOfB = await CachedKeyOfAsync(b, () => gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(b)).ResponseAsync);
        var callsBefore = provider.Calls["GetAccountBalance"];
        var rejectedBefore = await RejectedAsync(gateway);

        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration))
        {
            var database = connection.GetDatabase();
            await database.KeyDeleteAsync(keyOfB);
            await database.HashSetAsync(keyOfB, await database.HashGetAllAsync(keyOfA));
        }

        var answer = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(b));

        Assert.Equal(b.AccountNumber, answer.Balance.AccountNumber);
        Assert.Equal(b.Balance.MinorUnits, answer.Balance.Balance.MinorUnits);
        Assert.Equal(Freshness.Live, answer.Source.Freshness);
        Assert.Equal(callsBefore + 1, provider.Calls["GetAccountBalance"]);
        Assert.True(await PollAsync(async () => await RejectedAsync(gateway) > rejectedBefore), "the rejection was not counted");
    }

    [Theory]
    [MemberData(nameof(Encryption))]
    public async Task An_edited_entry_is_a_counted_miss_and_the_answer_comes_from_the_provider(bool encrypted)
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var gateway = await TestGateway.StartAsync(providers, Settings(encrypted));
        var (a, _) = TwoCitizensOfOneProvider();
        var provider = providers[a.ProviderId];
        var keyOfA = await CachedKeyOfAsync(a, () => gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(a)).ResponseAsync);
        var callsBefore = provider.Calls["GetAccountBalance"];
        var rejectedBefore = await RejectedAsync(gateway);

        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration))
        {
            var database = connection.GetDatabase();
            var data = (byte[])(await database.HashGetAsync(keyOfA, "data"))!;
            data[^1] ^= 0x01;
            await database.HashSetAsync(keyOfA, "data", data);
        }

        var answer = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(a));

        Assert.Equal(a.Balance.MinorUnits, answer.Balance.Balance.MinorUnits);
        Assert.Equal(Freshness.Live, answer.Source.Freshness);
        Assert.Equal(callsBefore + 1, provider.Calls["GetAccountBalance"]);
        Assert.True(await PollAsync(async () => await RejectedAsync(gateway) > rejectedBefore), "the rejection was not counted");
    }

    // Every read goes to Redis (no memory level), so what Redis holds is what is served.
    private GatewaySettings Settings(bool encrypted)
    {
        var settings = TestGateway.WithRedis(redis.Server).WithCaching(c => c.MemoryCacheEnabled(false));
        if (!encrypted)
        {
            settings["Gateway:Caching:EncryptValues"] = "false";
            settings["Gateway:Caching:EncryptionKey"] = null;
        }

        return settings;
    }

    private static (DemoSeedUtilityAccount A, DemoSeedUtilityAccount B) TwoCitizensOfOneProvider()
    {
        var pair = DemoData.Seed.UtilityAccounts
            .GroupBy(x => x.ProviderId)
            .Select(g => g.DistinctBy(x => x.Iin).Where(x => x.Balance.MinorUnits > 0).DistinctBy(x => x.Balance.MinorUnits).Take(2).ToList())
            .First(g => g.Count == 2);
        return (pair[0], pair[1]);
    }

    private static GetUtilityAccountBalanceRequest BalanceOf(DemoSeedUtilityAccount account) =>
        new() { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

    // The Redis key of an account's balance (the cache key computed as the gateway does, under FusionCache's prefix),
    // once the call has stored it; anything left there by an earlier test is removed first.
    private async Task<string> CachedKeyOfAsync(DemoSeedUtilityAccount account, Func<Task> call)
    {
        var secrets = new CacheSecrets(Options.Create(new CachingOptions { KeySecret = TestSecrets.KeySecret, EncryptValues = false }));
        using var keys = new CacheKeys(secrets);
        var suffix = keys.ForRead(account.ProviderId, "GetAccountBalance", new Util.GetAccountBalanceRequest { Iin = account.Iin, AccountNumber = account.AccountNumber });
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration))
        {
            foreach (var (stale, _) in (await redis.Server.DumpAsync()).Where(e => e.Key.EndsWith(suffix, StringComparison.Ordinal)))
            {
                await connection.GetDatabase().KeyDeleteAsync(stale);
            }
        }

        await call();
        string? key = null;
        Assert.True(
            await PollAsync(async () => (key = (await redis.Server.DumpAsync()).Select(e => e.Key).FirstOrDefault(k => k.EndsWith(suffix, StringComparison.Ordinal))) is not null),
            "the answer was not stored in Redis");
        return key!;
    }

    private static async Task<double> RejectedAsync(TestGateway gateway) =>
        (await PrometheusScrape.FromAsync(gateway.ManagementAddress)).Value(RejectedMetric);

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
