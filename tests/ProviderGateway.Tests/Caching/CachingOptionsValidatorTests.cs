using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Caching;

public sealed class CachingOptionsValidatorTests
{
    private readonly CachingOptionsValidator _validator = new(Options.Create(new GatewayOptions
    {
        Providers = [new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = "http://127.0.0.1:1", Caching = new Dictionary<string, CachePolicyOptions> { ["CreateMeterReading"] = new() } }],
    }));

    [Fact]
    public void A_missing_key_secret_stops_start_up_saying_how_to_make_one()
    {
        var result = _validator.Validate(null, new CachingOptions());

        var failure = Assert.Single(result.Failures!, f => f.StartsWith("Gateway:Caching:KeySecret", StringComparison.Ordinal));
        Assert.Contains("openssl rand -base64 32", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void With_Redis_values_are_encrypted_unless_turned_off_and_then_the_key_is_required()
    {
        var withRedis = _validator.Validate(null, new CachingOptions { KeySecret = TestSecrets.KeySecret, Redis = "127.0.0.1:6379" });
        var clearByChoice = _validator.Validate(null, new CachingOptions { KeySecret = TestSecrets.KeySecret, Redis = "127.0.0.1:6379", EncryptValues = false });
        var shortKey = _validator.Validate(null, new CachingOptions { KeySecret = TestSecrets.KeySecret, Redis = "127.0.0.1:6379", EncryptionKey = "c2hvcnQ=" });

        Assert.Contains(withRedis.Failures!, f => f.StartsWith("Gateway:Caching:EncryptionKey", StringComparison.Ordinal));
        Assert.DoesNotContain(clearByChoice.Failures ?? [], f => f.StartsWith("Gateway:Caching:EncryptionKey", StringComparison.Ordinal));
        Assert.Contains(shortKey.Failures!, f => f.StartsWith("Gateway:Caching:EncryptionKey", StringComparison.Ordinal));
    }

    [Fact]
    public void Policies_of_unknown_methods_or_writes_and_bad_values_are_named()
    {
        var result = _validator.Validate(null, new CachingOptions
        {
            KeySecret = TestSecrets.KeySecret,
            Methods = new Dictionary<string, CachePolicyOptions>
            {
                ["GetBalance"] = new(),
                ["ListAccounts"] = new() { Duration = TimeSpan.Zero, EagerRefreshThreshold = 1.5 },
            },
        });

        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Gateway:Caching:Methods:GetBalance names 'GetBalance'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Caching:Methods:ListAccounts:Duration", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Caching:Methods:ListAccounts:EagerRefreshThreshold", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Providers:0:Caching:CreateMeterReading", StringComparison.Ordinal) && f.Contains("writes are never cached", StringComparison.Ordinal));
    }
}
