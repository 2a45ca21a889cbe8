using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests;

/// <summary>
/// A provider's refusals (PERMISSION_DENIED, UNAUTHENTICATED) reach the desk as refusals: the cache and fail-safe never
/// override them, and the circuit breaker does not count them; answers are shared between clients or kept per client.
/// </summary>
public sealed class RefusalTests
{
    private const string OtherOfficeKey = "other-office-key-0123456789";

    private static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(300);

    private static GatewaySettings ShortLivedBalances() => new GatewaySettings()
        .WithCaching(c => c
            .Method("GetAccountBalance", Duration, failSafeMaxDuration: TimeSpan.FromHours(1))
            .FailSafeRetryAfter(TimeSpan.FromMilliseconds(50)))
        // Few calls open the circuit, were refusals counted as failures.
        .WithResilience(r => r.CircuitBreaker(minimumThroughput: 5, failureRatio: 0.5).MaxRetries(0));

    private static GatewaySettings OtherOffice() => new GatewaySettings()
        .WithClient(c => c.Id("other-office").ApiKey(OtherOfficeKey).Permissions("*").Districts("*"));

    private static GetUtilityAccountBalanceRequest BalanceOf(DemoSeedUtilityAccount account) =>
        new() { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

    [Fact]
    public async Task A_provider_PERMISSION_DENIED_after_a_cached_answer_reaches_the_desk_never_STALE_and_opens_no_circuit()
    {
        await using var gateway = await TestGateway.StartAsync(settings: ShortLivedBalances());
        var account = DemoData.Seed.UtilityAccounts[0];
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        var live = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        provider.Faults.ErrorCode = StatusCode.PermissionDenied;
        provider.Faults.ErrorRate = 1;
        await AgeAsync(live.Source.FetchTime.ToDateTimeOffset(), Duration);

        var refusals = new List<RpcException>();
        for (var i = 0; i < 20; i++)
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account)).ResponseAsync));
        }

        var directory = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest { Domain = Domain.Utilities, PageSize = 100 });
        var calls = provider.Calls["GetAccountBalance"];
        // The provider fails for real now: the last good answer is still there, untouched by the refusals.
        provider.Faults.ErrorRate = 0;
        provider.Faults.Down = true;
        var stale = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));

        Assert.All(refusals, e =>
        {
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            var info = e.GetRpcStatus()!.GetDetail<ErrorInfo>()!;
            Assert.Equal("PROVIDER_PERMISSION_DENIED", info.Reason);
            Assert.Equal(account.ProviderId, info.Metadata["provider_id"]);
        });
        Assert.Equal(21, calls);
        Assert.Equal(CircuitState.Closed, directory.Providers.Single(p => p.ProviderId == account.ProviderId).CircuitState);
        Assert.Equal(Freshness.Stale, stale.Source.Freshness);
        Assert.Equal(live.Source.FetchTime, stale.Source.FetchTime);
    }

    [Fact]
    public async Task A_provider_UNAUTHENTICATED_is_UNAVAILABLE_naming_the_provider_never_STALE_and_opens_no_circuit()
    {
        await using var gateway = await TestGateway.StartAsync(settings: ShortLivedBalances());
        var account = DemoData.Seed.UtilityAccounts[0];
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        var live = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        provider.Faults.ErrorCode = StatusCode.Unauthenticated;
        provider.Faults.ErrorRate = 1;
        await AgeAsync(live.Source.FetchTime.ToDateTimeOffset(), Duration);

        var refusals = new List<RpcException>();
        for (var i = 0; i < 20; i++)
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account)).ResponseAsync));
        }

        var bypass = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            BalanceOf(account), new Metadata { { "cache-control", "no-cache" } }).ResponseAsync);
        var directory = await gateway.FrontDesk.ListProvidersAsync(new ListProvidersRequest { Domain = Domain.Utilities, PageSize = 100 });

        Assert.All(refusals.Append(bypass), e =>
        {
            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
            var info = e.GetRpcStatus()!.GetDetail<ErrorInfo>()!;
            Assert.Equal("PROVIDER_AUTHENTICATION_FAILED", info.Reason);
            Assert.Equal(account.ProviderId, info.Metadata["provider_id"]);
        });
        Assert.Equal(22, provider.Calls["GetAccountBalance"]);
        Assert.Equal(CircuitState.Closed, directory.Providers.Single(p => p.ProviderId == account.ProviderId).CircuitState);
    }

    [Fact]
    public async Task A_refusal_in_an_overview_is_that_provider_source_and_not_served_stale()
    {
        await using var gateway = await TestGateway.StartAsync(settings: ShortLivedBalances()
            .WithCaching(c => c.Method("ListAccounts", Duration)));
        var account = DemoData.Seed.UtilityAccounts[0];
        var provider = gateway.EmbeddedProviders[account.ProviderId];
        var request = new ListUtilityAccountsRequest { Iin = account.Iin, PageSize = 100 };
        var live = await gateway.FrontDesk.ListUtilityAccountsAsync(request);
        provider.Faults.ErrorCode = StatusCode.PermissionDenied;
        provider.Faults.ErrorRate = 1;
        await AgeAsync(live.Sources.Single(s => s.ProviderId == account.ProviderId).FetchTime.ToDateTimeOffset(), Duration);

        var refused = await gateway.FrontDesk.ListUtilityAccountsAsync(request);

        var source = refused.Sources.Single(s => s.ProviderId == account.ProviderId);
        Assert.Equal((int)StatusCode.PermissionDenied, source.Status.Code);
        Assert.Equal(Freshness.Unspecified, source.Freshness);
        Assert.DoesNotContain(refused.Accounts, a => a.ProviderId == account.ProviderId);
    }

    [Fact]
    public async Task With_CachePerClient_a_second_client_reaches_the_provider_instead_of_the_first_client_answer()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        var account = DemoData.Seed.UtilityAccounts[0];
        var index = providers.Servers.ToList().FindIndex(s => s.ProviderId == account.ProviderId);
        var settings = OtherOffice();
        settings[$"Gateway:Providers:{index}:CachePerClient"] = "true";
        await using var gateway = await TestGateway.StartAsync(providers, settings);
        var other = gateway.ClientWith(OtherOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);

        var first = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        var again = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        var second = await other.GetUtilityAccountBalanceAsync(BalanceOf(account));

        Assert.Equal(Freshness.Live, first.Source.Freshness);
        Assert.Equal(Freshness.Cached, again.Source.Freshness);
        Assert.Equal(Freshness.Live, second.Source.Freshness);
        Assert.Equal(2, providers[account.ProviderId].Calls["GetAccountBalance"]);
    }

    [Fact]
    public async Task With_CachePerClient_a_write_still_invalidates_every_client_answer()
    {
        await using var providers = await DemoProviderSet.StartAsync();
        var account = DemoData.Seed.UtilityAccounts.First(a => a.Meters.Count > 0);
        var index = providers.Servers.ToList().FindIndex(s => s.ProviderId == account.ProviderId);
        var settings = OtherOffice();
        settings[$"Gateway:Providers:{index}:CachePerClient"] = "true";
        await using var gateway = await TestGateway.StartAsync(providers, settings);
        var other = gateway.ClientWith(OtherOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        await other.GetUtilityAccountBalanceAsync(BalanceOf(account));
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(5));

        await gateway.FrontDesk.CreateMeterReadingAsync(new CreateMeterReadingRequest
        {
            ProviderId = account.ProviderId,
            RequestId = Guid.NewGuid().ToString(),
            Iin = account.Iin,
            AccountNumber = account.AccountNumber,
            MeterId = account.Meters[0].MeterId,
            ValueMilliUnits = account.Meters[0].LastReadingMilliUnits + 1_000,
            ReadingDate = new Google.Type.Date { Year = today.Year, Month = today.Month, Day = today.Day },
        });
        var afterFirst = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        var afterOther = await other.GetUtilityAccountBalanceAsync(BalanceOf(account));

        Assert.Equal(Freshness.Live, afterFirst.Source.Freshness);
        Assert.Equal(Freshness.Live, afterOther.Source.Freshness);
    }

    [Fact]
    public async Task By_default_a_second_client_identical_call_is_served_from_the_cache()
    {
        await using var gateway = await TestGateway.StartAsync(settings: OtherOffice());
        var account = DemoData.Seed.UtilityAccounts[0];
        var other = gateway.ClientWith(OtherOfficeKey, TestSecrets.OperatorId, TestSecrets.Purpose);

        var first = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(BalanceOf(account));
        var second = await other.GetUtilityAccountBalanceAsync(BalanceOf(account));

        Assert.Equal(Freshness.Live, first.Source.Freshness);
        Assert.Equal(Freshness.Cached, second.Source.Freshness);
        Assert.Equal(1, gateway.EmbeddedProviders[account.ProviderId].Calls["GetAccountBalance"]);
    }

    private static async Task AgeAsync(DateTimeOffset fetched, TimeSpan age)
    {
        var wait = fetched + age + TimeSpan.FromMilliseconds(50) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
