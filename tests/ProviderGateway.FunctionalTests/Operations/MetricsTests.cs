using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;

namespace ProviderGateway.FunctionalTests.Operations;

/// <summary>The Prometheus scrape of a live gateway after a known sequence of calls.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests
{
    private const string Method = "GetAccountBalance";

    [Fact]
    public async Task The_scrape_counts_provider_calls_by_code_and_cache_hits_misses_and_stale_answers()
    {
        var duration = TimeSpan.FromMilliseconds(300);
        await using var gateway = await TestGateway.StartAsync(settings: new GatewaySettings().WithCaching(c => c
            .Method(Method, duration, failSafeMaxDuration: TimeSpan.FromMinutes(1))
            .FailSafeRetryAfter(TimeSpan.FromMilliseconds(100))));
        var account = DemoData.Seed.UtilityAccounts[0];
        var provider = account.ProviderId;
        var request = new GetUtilityAccountBalanceRequest { ProviderId = provider, Iin = account.Iin, AccountNumber = account.AccountNumber };

        // miss (provider OK), hit, miss (provider NOT_FOUND), then stale (provider UNAVAILABLE, the old answer served).
        var live = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        var missing = await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = provider, Iin = account.Iin, AccountNumber = "NO-SUCH-ACCOUNT-0" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        gateway.EmbeddedProviders[provider].Faults.Down = true;
        await OlderThanAsync(live.Source.FetchTime.ToDateTimeOffset(), duration);
        var stale = await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        Assert.Equal(Freshness.Stale, stale.Source.Freshness);

        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);

        (string, string)[] ofMethod = [("provider", provider), ("method", Method)];
        Assert.Equal(1, scrape.Value("providergateway_cache_lookups_total", [.. ofMethod, ("result", "hit")]));
        Assert.Equal(2, scrape.Value("providergateway_cache_lookups_total", [.. ofMethod, ("result", "miss")]));
        Assert.Equal(1, scrape.Value("providergateway_cache_lookups_total", [.. ofMethod, ("result", "stale")]));
        Assert.Equal(1, scrape.Value("providergateway_provider_calls_total", [.. ofMethod, ("code", "OK")]));
        Assert.Equal(1, scrape.Value("providergateway_provider_calls_total", [.. ofMethod, ("code", "NOT_FOUND")]));
        Assert.Equal(1, scrape.Value("providergateway_provider_calls_total", [.. ofMethod, ("code", "UNAVAILABLE")]));
        Assert.Equal(1, scrape.Value("providergateway_provider_call_duration_seconds_count", [.. ofMethod, ("code", "OK")]));
        Assert.Equal(1, scrape.Value("providergateway_provider_call_duration_seconds_bucket", [.. ofMethod, ("code", "OK"), ("le", "+Inf")]));
        Assert.Equal(0, scrape.Value("providergateway_provider_calls_total", ("provider", "land-registry")));
        Assert.All(DemoData.Seed.Providers, p =>
            Assert.Contains($"providergateway_provider_circuit_state{{otel_scope_name=\"ProviderGateway\",provider=\"{p.Id}\"}} 0", scrape.Text));

        // No personal data in any label: neither the citizen nor the accounts asked for.
        Assert.DoesNotContain(account.Iin, scrape.Text);
        Assert.DoesNotContain(account.AccountNumber, scrape.Text);
        Assert.DoesNotContain("NO-SUCH-ACCOUNT-0", scrape.Text);
    }

    [Fact]
    public async Task Every_desk_call_is_counted_by_the_status_its_desk_received_refusals_before_the_service_included()
    {
        await using var gateway = await TestGateway.StartAsync();
        var account = DemoData.Seed.UtilityAccounts[0];
        var request = new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber };

        // Answered (twice: once live, once from memory), NOT_FOUND from the provider, INVALID_ARGUMENT from validation,
        // UNAUTHENTICATED from the middleware, and a message that is not protobuf (refused by grpc-dotnet).
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(request);
        await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = "NO-SUCH-ACCOUNT-0" }).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => gateway.FrontDesk.GetUtilityAccountBalanceAsync(
            new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = "123", AccountNumber = account.AccountNumber }).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => gateway.ClientWith(apiKey: null).GetUtilityAccountBalanceAsync(request).ResponseAsync);
        Assert.Equal("3", await SendRawAsync(gateway, "GetUtilityAccountBalance", [0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff]));

        (string, string) method = ("method", "GetUtilityAccountBalance");
        Assert.True(
            await PollAsync(async () => (await PrometheusScrape.FromAsync(gateway.ManagementAddress)).Value("providergateway_desk_calls_total", method, ("code", "INVALID_ARGUMENT")) == 2),
            "The malformed message was not counted.");
        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);
        Assert.Equal(2, scrape.Value("providergateway_desk_calls_total", method, ("code", "OK")));
        Assert.Equal(1, scrape.Value("providergateway_desk_calls_total", method, ("code", "NOT_FOUND")));
        Assert.Equal(1, scrape.Value("providergateway_desk_calls_total", method, ("code", "UNAUTHENTICATED")));
        Assert.Equal(0, scrape.Value("providergateway_desk_calls_total", ("method", "GetCitizenOverview")));
        Assert.DoesNotContain(account.Iin, scrape.Text);
        Assert.DoesNotContain("NO-SUCH-ACCOUNT-0", scrape.Text);
    }

    // A gRPC call with a body of our choosing; returns its grpc-status.
    private static async Task<string?> SendRawAsync(TestGateway gateway, string method, byte[] body)
    {
        using var http = new HttpClient { BaseAddress = gateway.Application.Listeners.GrpcAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/providergateway.frontdesk.v1.FrontDeskService/{method}")
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("x-api-key", TestSecrets.ApiKey);
        request.Headers.TryAddWithoutValidation("x-operator-id", TestSecrets.OperatorId);
        request.Headers.TryAddWithoutValidation("x-access-purpose", TestSecrets.Purpose);
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.TryGetValues("grpc-status", out var status) || response.TrailingHeaders.TryGetValues("grpc-status", out status)
            ? status.First()
            : null;
    }

    [Fact]
    public async Task Redis_reachability_is_a_gauge_that_follows_the_connection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(settings: TestGateway.WithRedis(redis));
        var account = DemoData.Seed.UtilityAccounts[0];
        await gateway.FrontDesk.GetUtilityAccountBalanceAsync(new GetUtilityAccountBalanceRequest { ProviderId = account.ProviderId, Iin = account.Iin, AccountNumber = account.AccountNumber });

        Assert.Equal(1, (await PrometheusScrape.FromAsync(gateway.ManagementAddress)).Value("providergateway_redis_up"));

        await redis.KillAsync();
        var down = await PollAsync(async () => (await PrometheusScrape.FromAsync(gateway.ManagementAddress)).Value("providergateway_redis_up") == 0);
        Assert.True(down, "providergateway_redis_up stayed 1 after Redis stopped.");
    }

    [Fact]
    public async Task Without_Redis_there_is_no_Redis_gauge()
    {
        await using var gateway = await TestGateway.StartAsync();

        var scrape = await PrometheusScrape.FromAsync(gateway.ManagementAddress);

        Assert.DoesNotContain("providergateway_redis_up", scrape.Text);
        Assert.Contains("providergateway_provider_circuit_state", scrape.Text);
    }

    /// <summary>Checks <paramref name="condition"/> until it holds, for at most 10 s.</summary>
    internal static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }

    private static async Task OlderThanAsync(DateTimeOffset fetched, TimeSpan age)
    {
        var wait = fetched + age + TimeSpan.FromMilliseconds(50) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait); // the scenario is about an answer's age: it has to grow old
        }
    }
}
