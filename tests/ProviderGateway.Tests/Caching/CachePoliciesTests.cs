using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Caching;

public sealed class CachePoliciesTests
{
    [Fact]
    public void Defaults_apply_then_the_global_then_the_provider_override()
    {
        var policies = Policies(
            new Dictionary<string, CachePolicyOptions> { ["GetAccountBalance"] = new() { Duration = TimeSpan.FromMinutes(1) }, ["GetParcel"] = new() { Enabled = false } },
            new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = "http://127.0.0.1:1", Caching = new Dictionary<string, CachePolicyOptions> { ["ListInvoices"] = new() { Duration = TimeSpan.FromSeconds(5), EagerRefreshThreshold = 0 } } },
            new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "http://127.0.0.1:2" });

        Assert.Equal(TimeSpan.FromMinutes(1), policies.For("power", "GetAccountBalance")!.Duration);
        Assert.Equal(TimeSpan.FromHours(6), policies.For("power", "GetAccountBalance")!.FailSafeMaxDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), policies.For("power", "ListInvoices")!.Duration);
        Assert.Null(policies.For("power", "ListInvoices")!.EagerRefreshThreshold);
        Assert.Equal(TimeSpan.FromMinutes(10), policies.For("power", "ListAccounts")!.Duration);
        Assert.Null(policies.For("land", "GetParcel"));
        Assert.Null(policies.For("power", "CreateMeterReading"));
    }

    [Fact]
    public void The_README_caching_table_matches_the_defaults()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));

        foreach (var (method, defaults) in CachePolicies.Defaults)
        {
            var eager = defaults.EagerRefreshThreshold > 0 ? defaults.EagerRefreshThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off";
            Assert.Contains($"| `{method}` | {Describe(defaults.Duration)} | {Describe(defaults.FailSafeMaxDuration)} | {eager} |", readme, StringComparison.Ordinal);
        }
    }

    private static string Describe(TimeSpan value) => value switch
    {
        { TotalHours: > 24 } => $"{value.TotalDays:0} d",
        { TotalHours: >= 1 } => $"{value.TotalHours:0} h",
        { TotalMinutes: >= 1 } => $"{value.TotalMinutes:0} min",
        _ => $"{value.TotalSeconds:0} s",
    };

    private static CachePolicies Policies(IDictionary<string, CachePolicyOptions> methods, params ProviderOptions[] providers) =>
        new(Options.Create(new GatewayOptions { Providers = providers }), Options.Create(new CachingOptions { Methods = methods }));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProviderGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No ProviderGateway.sln above the test assembly.");
    }
}
