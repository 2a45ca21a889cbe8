using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.FunctionalTests.Operations;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// Gateway instances sharing a real redis-server share each client's rate limit: one bucket, not one per instance; a
/// Redis request per batch of calls, not per call; local buckets of the limit's share when Redis is gone. (Three
/// instances behind nginx at 300 calls a second: ClusterTests.)
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SharedRateLimitTests(RedisFixture redis)
{
    private const string BusyOfficeKey = "busy-office-key-0123456789abcdef";

    [Fact]
    public async Task Two_instances_admit_one_shared_bucket_not_one_each()
    {
        var passed = await FortyCallsThroughTwoInstancesAsync(TestGateway.WithRedis(redis.Server).WithClient(c => BusyOffice(c, "busy-office-shared")));

        // A burst of 10 at one call a second: 10, plus the refill while the 40 calls last (a few seconds at most on a busy
        // machine); two buckets would pass 20.
        Assert.InRange(passed, 10, 15);
    }

    [Fact]
    public async Task Without_sharing_each_instance_keeps_its_own_bucket_so_the_limit_doubles()
    {
        var settings = TestGateway.WithRedis(redis.Server).WithClient(c => BusyOffice(c, "busy-office-local"));
        settings["Gateway:Security:SharedRateLimits:Enabled"] = "false";

        var passed = await FortyCallsThroughTwoInstancesAsync(settings);

        Assert.InRange(passed, 20, 30);
    }

    [Fact]
    public async Task A_Redis_request_admits_a_batch_of_calls_not_one()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var gateway = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server)
            .WithClient(c => c.Id("steady-office").ApiKey(BusyOfficeKey).Permissions("*").Districts("*").RateLimit(callsPerSecond: 1_000, burst: 1_000)));
        var desk = gateway.ClientWith(BusyOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);

        for (var i = 0; i < 300; i++)
        {
            await desk.ListProvidersAsync(new ListProvidersRequest());
        }

        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);
        var requests = scrape.Series("providergateway_rate_limit_borrows_total").Sum(s => s.Value);
        var granted = scrape.Value("providergateway_rate_limit_borrows_total", ("outcome", "granted"));
        Assert.InRange(granted, 3, 5);   // 300 calls in batches of 100 (a 100 ms window at 1,000 a second), the next asked ahead
        Assert.Equal(granted, requests);
    }

    [Fact]
    public async Task Many_first_calls_at_once_wait_for_one_borrow_and_all_pass()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var gateway = await TestGateway.StartAsync(providers, TestGateway.WithRedis(redis.Server)
            .WithClient(c => c.Id("rush-office").ApiKey(BusyOfficeKey).Permissions("*").Districts("*").RateLimit(callsPerSecond: 1_000_000, burst: 1_000_000)));
        var desk = gateway.ClientWith(BusyOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);

        var calls = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            try
            {
                await desk.ListProvidersAsync(new ListProvidersRequest());
                return "OK";
            }
            catch (RpcException e)
            {
                return $"{e.StatusCode} {e.Status.Detail}";
            }
        }));

        Assert.All(calls, c => Assert.Equal("OK", c));
    }

    [Fact]
    public async Task With_Redis_gone_each_instance_limits_a_client_to_its_share_and_shares_again_once_Redis_is_back()
    {
        await using var own = await RedisServer.StartAsync();
        await using var providers = await DemoProviderSet.StartAsync();
        var settings = TestGateway.WithRedis(own).WithClient(c => BusyOffice(c, "busy-office-fallback"));
        settings["Gateway:Security:SharedRateLimits:Instances"] = "2";
        await using var a = await TestGateway.StartAsync(providers, settings);
        await using var b = await TestGateway.StartAsync(providers, settings);
        await own.KillAsync();

        var passedWithoutRedis = await AlternateAsync([a, b], calls: 40);

        // Half the burst on each: 5 + 5, and no call failed for want of Redis (the others were refused RESOURCE_EXHAUSTED).
        Assert.InRange(passedWithoutRedis, 10, 15);

        // Redis back: after Caching:RedisRetryAfter (1 s here) a call of instance A borrows from Redis again.
        await own.StartAgainAsync();
        var desk = a.ClientWith(BusyOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Granted(await PrometheusScrape.FromAsync(a.ManagementAddress)) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "instance A did not borrow from Redis within 20 s of its return");
            await AlternateAsync([a], calls: 1);
            await Task.Delay(100);
        }
    }

    private static double Granted(PrometheusScrape scrape) =>
        scrape.Series("providergateway_rate_limit_borrows_total").Where(s => s.Labels.GetValueOrDefault("outcome") == "granted").Sum(s => s.Value);

    // Two instances sharing the tests' Redis, the busy office's 40 calls alternately to each: how many were admitted.
    private static async Task<int> FortyCallsThroughTwoInstancesAsync(GatewaySettings settings)
    {
        await using var providers = await DemoProviderSet.StartAsync();
        await using var a = await TestGateway.StartAsync(providers, settings);
        await using var b = await TestGateway.StartAsync(providers, settings);
        return await AlternateAsync([a, b], calls: 40);
    }

    private static ClientSettings BusyOffice(ClientSettings client, string id) =>
        client.Id(id).ApiKey(BusyOfficeKey).Permissions("*").Districts("*").RateLimit(callsPerSecond: 1, burst: 10);

    // Calls from the busy office to each instance in turn, at once; counts those admitted. Any status but OK and
    // RESOURCE_EXHAUSTED (CLIENT_RATE_LIMITED, with its RetryInfo) fails the test.
    private static async Task<int> AlternateAsync(IReadOnlyList<TestGateway> instances, int calls)
    {
        var desks = instances.Select(i => i.ClientWith(BusyOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose)).ToList();
        var passed = 0;
        for (var i = 0; i < calls; i++)
        {
            try
            {
                await desks[i % desks.Count].ListProvidersAsync(new ListProvidersRequest());
                passed++;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.ResourceExhausted)
            {
                var status = refused.GetRpcStatus();
                Assert.NotNull(status);
                Assert.Contains(status!.Details, d => d.Is(Google.Rpc.RetryInfo.Descriptor));
            }
        }

        return passed;
    }
}
