using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Core;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Consent;

/// <summary>How consent is configured: which calls can need it, and that needing it needs an authority.</summary>
public sealed class ConsentConfigurationTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Consent_can_be_required_only_for_calls_that_name_a_citizen()
    {
        var client = new ClientOptions
        {
            Id = "office",
            ApiKeySha256 = [Hash],
            Permissions = ["*"],
            Districts = ["*"],
            RequireConsent = ["overview", "utilities", "GetParcel", "access_history", "directory", "submissions", "RequestConsent", "ListProviders", "everything"],
        };

        var failures = new SecurityOptionsValidator().Validate(null, new SecurityOptions { Clients = [client] }).Failures ?? [];

        foreach (var refused in new[] { "directory", "submissions", "RequestConsent", "ListProviders", "everything" })
        {
            Assert.Contains(failures, f => f.StartsWith($"Gateway:Security:Clients:0:RequireConsent has '{refused}'", StringComparison.Ordinal));
        }

        foreach (var accepted in new[] { "overview", "utilities", "GetParcel", "access_history" })
        {
            Assert.DoesNotContain(failures, f => f.Contains($"RequireConsent has '{accepted}'", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_client_that_needs_consent_or_reads_access_histories_as_a_desk_needs_an_authority()
    {
        ClientOptions Client(string id, string[] permissions, string[]? consent = null, bool officer = false) =>
            new() { Id = id, ApiKeySha256 = [Hash], Permissions = permissions, Districts = ["*"], RequireConsent = consent ?? [], DataProtectionOfficer = officer };
        var security = Options.Create(new SecurityOptions
        {
            Clients =
            [
                Client("plain", ["*"]),
                Client("office", ["overview"], ["overview"]),
                Client("history-desk", ["access_history"]),
                Client("officer", ["access_history"], officer: true),
            ],
        });

        var failures = new ConsentOptionsValidator(security).Validate(null, new ConsentOptions()).Failures ?? [];
        var configured = new ConsentOptionsValidator(security).Validate(null, new ConsentOptions { Authority = new Uri("https://consent.example.kz") });
        var withPath = new ConsentOptionsValidator(security).Validate(null, new ConsentOptions { Authority = new Uri("https://consent.example.kz/api") });

        Assert.Equal(2, failures.Count());
        Assert.Contains(failures, f => f.Contains("client 'office' needs the citizen's consent", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("client 'history-desk' may read access histories", StringComparison.Ordinal));
        Assert.True(configured.Succeeded);
        Assert.False(withPath.Succeeded);
    }

    [Fact]
    public void Every_group_but_the_access_history_comes_with_the_wildcard_and_consent_applies_to_what_is_configured()
    {
        var wildcard = new GatewayClient(new ClientOptions { Id = "dev", Permissions = ["*"], Districts = ["*"], RequireConsent = ["utilities"] }, new RateLimitOptions());
        var history = FrontDeskMethods.Find("ListDataAccesses")!;
        var accounts = FrontDeskMethods.Find("ListUtilityAccounts")!;
        var overview = FrontDeskMethods.Find("GetCitizenOverview")!;

        Assert.False(wildcard.MayCall(history));
        Assert.True(wildcard.MayCall(FrontDeskMethods.Find("RequestConsent")!));
        Assert.True(wildcard.RequiresConsentFor(accounts));
        Assert.False(wildcard.RequiresConsentFor(overview));
        Assert.True(ProviderGateway.Consent.ConsentGate.Applies(wildcard, accounts));
        var officer = new GatewayClient(new ClientOptions { Id = "dpo", Permissions = ["access_history"], Districts = ["*"], DataProtectionOfficer = true }, new RateLimitOptions());
        var desk = new GatewayClient(new ClientOptions { Id = "desk", Permissions = ["access_history"], Districts = ["*"] }, new RateLimitOptions());
        Assert.False(ProviderGateway.Consent.ConsentGate.Applies(officer, history));
        Assert.True(ProviderGateway.Consent.ConsentGate.Applies(desk, history));
    }
}
