using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;

namespace ProviderGateway.Tests.Configuration;

public sealed class DeclaredOptionsValidatorTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static List<string> Declared<TOptions>(TOptions options, string section, IValidateOptions<TOptions> generated)
        where TOptions : class =>
        [.. new KeyNamingValidator<TOptions>(section, generated).Validate(Options.DefaultName, options).Failures ?? []];

    [Fact]
    public void The_defaults_satisfy_every_declared_range()
    {
        Assert.Empty(Declared(new GatewayOptions(), GatewayOptions.SectionName, new GatewayOptionsDeclaredValidator()));
        Assert.Empty(Declared(new CachingOptions(), CachingOptions.SectionName, new CachingOptionsDeclaredValidator()));
        Assert.Empty(Declared(new ResilienceOptions(), ResilienceOptions.SectionName, new ResilienceOptionsDeclaredValidator()));
        Assert.Empty(Declared(new GatewayTelemetryOptions(), GatewayTelemetryOptions.SectionName, new GatewayTelemetryOptionsDeclaredValidator()));
    }

    [Fact]
    public void Security_declares_its_clients_journal_and_page_token_key_required_and_nothing_else_fails_by_default()
    {
        var failures = Declared(new SecurityOptions(), SecurityOptions.SectionName, new SecurityOptionsDeclaredValidator());

        Assert.Collection(
            failures.Order(StringComparer.Ordinal),
            f => Assert.StartsWith("Gateway:Security:Clients is empty: ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway:Security:Journal:ChainKey is required ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway:Security:Journal:Path is required: ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway:Security:Journal:SigningKey is required: ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway:Security:Journal:SubjectKey is required ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway:Security:PageTokens:Key is required: ", f, StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_range_of_the_gateway_or_of_one_provider_names_its_key()
    {
        var options = new GatewayOptions
        {
            OverviewPageSize = 101,
            HealthCheckTimeout = TimeSpan.Zero,
            Providers =
            [
                new ProviderOptions { Id = "power", Domain = "utilities", Endpoint = "" },
                new ProviderOptions { Id = "land", Domain = "land_registry", Endpoint = "http://127.0.0.1:1", MaxConcurrentCalls = 0, Deadline = TimeSpan.FromMinutes(10) },
            ],
        };

        var failures = Declared(options, GatewayOptions.SectionName, new GatewayOptionsDeclaredValidator());

        Assert.Equal(
            [
                "Gateway:HealthCheckTimeout must be between 00:00:00 exclusive and 00:01:00.",
                "Gateway:OverviewPageSize must be between 1 and 100.",
                "Gateway:Providers:0:Endpoint is required.",
                "Gateway:Providers:1:Deadline must be between 00:00:00 exclusive and 00:05:00.",
                "Gateway:Providers:1:MaxConcurrentCalls must be between 1 and 2147483647.",
            ],
            failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_bad_range_of_the_cache_names_its_key()
    {
        var failures = Declared(
            new CachingOptions { MemoryMaxEntries = 0, KeyPrefix = new string('p', 33), RedisTimeout = TimeSpan.Zero },
            CachingOptions.SectionName,
            new CachingOptionsDeclaredValidator());

        Assert.Contains("Gateway:Caching:MemoryMaxEntries must be between 1 and 2147483647.", failures);
        Assert.Contains(failures, f => f.StartsWith("Gateway:Caching:KeyPrefix must be", StringComparison.Ordinal) && f.Contains("'32'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Caching:RedisTimeout must be between 00:00:00 exclusive", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }

    [Fact]
    public void A_bad_range_of_retries_or_the_circuit_breaker_names_its_nested_key()
    {
        var failures = Declared(
            new ResilienceOptions
            {
                Retry = new RetryOptions { MaxRetries = 11 },
                CircuitBreaker = new CircuitBreakerOptions { FailureRatio = 0, BreakDuration = TimeSpan.FromMilliseconds(100) },
                PassiveHealthWindow = TimeSpan.FromMilliseconds(10),
            },
            ResilienceOptions.SectionName,
            new ResilienceOptionsDeclaredValidator());

        Assert.Equal(
            [
                "Gateway:Resilience:CircuitBreaker:BreakDuration must be between 00:00:00.5000000 and 1.00:00:00.",
                "Gateway:Resilience:CircuitBreaker:FailureRatio must be between 0 exclusive and 1.",
                "Gateway:Resilience:PassiveHealthWindow must be between 00:00:01 and 1.00:00:00.",
                "Gateway:Resilience:Retry:MaxRetries must be between 0 and 10.",
            ],
            failures.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_bad_range_of_a_client_its_rate_limit_the_journal_or_page_tokens_names_its_key()
    {
        var options = new SecurityOptions
        {
            Clients =
            [
                new ClientOptions { Id = "karasai", ApiKeySha256 = [Hash], Permissions = [], Districts = ["1952"] },
                new ClientOptions { Id = "ili", ApiKeySha256 = [Hash], Permissions = ["*"], Districts = ["*"], RateLimit = new RateLimitOptions { CallsPerSecond = 0 } },
            ],
            DefaultRateLimit = new RateLimitOptions { Burst = 0 },
            MaxRequestBytes = 10,
            Journal = new JournalOptions { Path = "/tmp/j", ChainKey = "k", SigningKey = "s", SubjectKey = "k", QueueCapacity = 1 },
            PageTokens = new PageTokenOptions { Key = "k", Lifetime = TimeSpan.FromDays(2) },
        };

        var failures = Declared(options, SecurityOptions.SectionName, new SecurityOptionsDeclaredValidator());

        Assert.Contains(failures, f => f.StartsWith("Gateway:Security:Clients:0:Permissions is empty:", StringComparison.Ordinal));
        Assert.Contains("Gateway:Security:Clients:1:RateLimit:CallsPerSecond must be between 1 and 1000000.", failures);
        Assert.Contains("Gateway:Security:DefaultRateLimit:Burst must be between 1 and 10000000.", failures);
        Assert.Contains("Gateway:Security:MaxRequestBytes must be between 1024 and 4194304.", failures);
        Assert.Contains("Gateway:Security:Journal:QueueCapacity must be between 16 and 1000000.", failures);
        Assert.Contains("Gateway:Security:PageTokens:Lifetime must be between 00:01:00 and 1.00:00:00.", failures);
        Assert.Equal(6, failures.Count);
    }

    [Fact]
    public void An_unknown_telemetry_protocol_names_its_key()
    {
        var failures = Declared(new GatewayTelemetryOptions { OtlpProtocol = "http" }, GatewayTelemetryOptions.SectionName, new GatewayTelemetryOptionsDeclaredValidator());

        Assert.Equal(["Gateway:Telemetry:OtlpProtocol must be grpc or http/protobuf."], failures);
    }

    [Fact]
    public void A_failure_of_another_shape_is_still_prefixed_with_its_section()
    {
        var validator = new KeyNamingValidator<ResilienceOptions>(ResilienceOptions.SectionName, new ResilienceOptionsDeclaredValidator());

        Assert.Equal("Gateway:Resilience: something else went wrong", validator.NameKey("something else went wrong"));
    }

    [Fact]
    public void A_bound_section_runs_its_declared_and_hand_written_validators_together()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Resilience:Retry:MaxRetries"] = "11",
            ["Gateway:Resilience:Retry:MaxDelay"] = "00:00:00.001",
        }).Build());
        services.AddDeclaredOptions<ResilienceOptions, ResilienceOptionsDeclaredValidator>(ResilienceOptions.SectionName);
        services.AddSingleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ResilienceOptions>>().Value);

        Assert.Contains("Gateway:Resilience:Retry:MaxRetries must be between 0 and 10.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Gateway:Resilience:Retry:MaxDelay must not be below", StringComparison.Ordinal));
        Assert.Equal(2, error.Failures.Count());
    }
}
