using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public void A_correct_configuration_passes()
    {
        var options = new GatewayOptions
        {
            Providers =
            [
                new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = "https://power.example.kz:443", KatoCodes = ["195200000"], Deadline = TimeSpan.FromSeconds(1) },
                new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "http://127.0.0.1:6007" },
            ],
        };

        Assert.Empty(SectionValidation.Failures(options));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_configuration_key()
    {
        var options = new GatewayOptions
        {
            OverviewPageSize = 0,
            Providers =
            [
                new ProviderOptions { Id = "Power!", Domain = "electricity", Endpoint = "power.example.kz", KatoCodes = ["1952"], Deadline = TimeSpan.Zero },
                new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "http://127.0.0.1:6007/path" },
                new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "ftp://127.0.0.1:6007" },
            ],
        };

        var failures = SectionValidation.Failures(options);

        Assert.Contains(failures, f => f.StartsWith("Gateway:OverviewPageSize", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:Id 'Power!'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:Domain 'electricity' is not one of: utilities, land_registry, social_services", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:Endpoint", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:KatoCodes:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:Deadline", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:1:Endpoint", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:2:Id 'land' is used by another provider", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:2:Endpoint", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:6001")]
    [InlineData("http://127.8.9.10:6001")]
    [InlineData("http://[::1]:6001")]
    [InlineData("http://localhost:6001")]
    [InlineData("https://power.example.kz:443")]
    public void A_loopback_or_TLS_provider_endpoint_passes(string endpoint)
    {
        var options = new GatewayOptions { Providers = [new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = endpoint }] };

        Assert.Empty(SectionValidation.Failures(options));
    }

    [Theory]
    [InlineData("http://power.example.kz:6001")]
    [InlineData("http://10.0.0.5:6001")]
    [InlineData("http://[2001:db8::1]:6001")]
    [InlineData("http://0.0.0.0:6001")]
    public void A_cleartext_provider_endpoint_off_loopback_is_refused_unless_allowed(string endpoint)
    {
        var refused = new GatewayOptions { Providers = [new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = endpoint }] };
        var allowed = new GatewayOptions { Providers = [new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = endpoint, AllowInsecureTransport = true }] };

        var failures = SectionValidation.Failures(refused);

        var failure = Assert.Single(failures);
        Assert.StartsWith("Gateway:Providers:0:Endpoint", failure, StringComparison.Ordinal);
        Assert.Contains("Gateway:Providers:0:AllowInsecureTransport", failure, StringComparison.Ordinal);
        Assert.Empty(SectionValidation.Failures(allowed));
    }
}
