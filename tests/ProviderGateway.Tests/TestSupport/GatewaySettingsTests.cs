using Microsoft.Extensions.Configuration;
using ProviderGateway.Configuration;
using ProviderGateway.Security;
using ProviderGateway.TestSupport.Settings;

namespace ProviderGateway.Tests.TestSupport;

/// <summary>The tests' configuration builders write the keys the gateway's options really bind.</summary>
public sealed class GatewaySettingsTests
{
    [Fact]
    public void Clients_providers_caching_journal_and_resilience_written_by_the_builders_bind_to_the_gateways_options()
    {
        var settings = new GatewaySettings()
            .WithClient(c => c.Id("balkhash-office").ApiKey("balkhash-key").Permissions("overview", "utilities").Districts("1936").RateLimit(callsPerSecond: 2, burst: 5))
            .WithProvider(p => p.Id("alatau-power").Domain("utilities").Endpoint(new Uri("http://127.0.0.1:5000")).KatoCodes("195200000", "193600000").Deadline(TimeSpan.FromMilliseconds(1500)))
            .WithCaching(c => c.Redis("127.0.0.1:6379").Method("GetAccountBalance", TimeSpan.FromSeconds(2), failSafeMaxDuration: TimeSpan.FromHours(1)))
            .WithJournal(j => j.Path("/tmp/journal.jsonl").InstanceId("gw-1").RotateBytes(1024))
            .WithResilience(r => r.CircuitBreaker(minimumThroughput: 5, failureRatio: 0.5).MaxRetries(0))
            .WithPageTokenKey("new-key", previousKey: "old-key");

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary()).Build();
        var security = configuration.GetSection(SecurityOptions.SectionName).Get<SecurityOptions>()!;
        var gateway = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>()!;
        var caching = configuration.GetSection(CachingOptions.SectionName).Get<CachingOptions>()!;
        var resilience = configuration.GetSection(ResilienceOptions.SectionName).Get<ResilienceOptions>()!;

        var client = Assert.Single(security.Clients);
        Assert.Equal("balkhash-office", client.Id);
        Assert.Equal([GatewayClients.HashKey("balkhash-key")], client.ApiKeySha256);
        Assert.Equal(["overview", "utilities"], client.Permissions);
        Assert.Equal(["1936"], client.Districts);
        Assert.Equal((2, 5), (client.RateLimit!.CallsPerSecond, client.RateLimit.Burst));
        var provider = Assert.Single(gateway.Providers);
        Assert.Equal(("alatau-power", "utilities", "http://127.0.0.1:5000/"), (provider.Id, provider.Domain, provider.Endpoint));
        Assert.Equal(["195200000", "193600000"], provider.KatoCodes);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), provider.Deadline);
        Assert.Equal("127.0.0.1:6379", caching.Redis);
        Assert.Equal(TimeSpan.FromHours(1), caching.Methods["GetAccountBalance"].FailSafeMaxDuration);
        Assert.Equal(("/tmp/journal.jsonl", "gw-1", 1024L), (security.Journal.Path, security.Journal.InstanceId, security.Journal.RotateBytes));
        Assert.Equal(("new-key", "old-key"), (security.PageTokens.Key, security.PageTokens.PreviousKey));
        Assert.Equal((5, 0.5, 0), (resilience.CircuitBreaker.MinimumThroughput, resilience.CircuitBreaker.FailureRatio, resilience.Retry.MaxRetries));
    }

    [Fact]
    public void Added_settings_number_their_clients_after_the_base_ones_and_a_key_set_in_full_wins_over_a_typed_one()
    {
        var test = new GatewaySettings()
            .WithClient(c => c.Id("karasai-office").ApiKey("karasai-key").Permissions("*").Districts("1952"))
            .WithJournal(j => j.Path("/tmp/other.jsonl"));
        test["Gateway:Security:Clients:0:Districts:0"] = "1936";

        var keys = GatewaySettings.ForTests("/tmp/journal.jsonl").With(test).ToDictionary();

        Assert.Equal(TestSecrets.ClientId, keys["Gateway:Security:Clients:0:Id"]);
        Assert.Equal("1936", keys["Gateway:Security:Clients:0:Districts:0"]);
        Assert.Equal("karasai-office", keys["Gateway:Security:Clients:1:Id"]);
        Assert.Equal("/tmp/other.jsonl", keys["Gateway:Security:Journal:Path"]);
        Assert.Equal(TestSecrets.ChainKey, keys["Gateway:Security:Journal:ChainKey"]);
        Assert.Contains("--Gateway:Security:Clients:1:Districts:0=1952", GatewaySettings.ForTests("/tmp/journal.jsonl").With(test).ToArguments());
    }
}
