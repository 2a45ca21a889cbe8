using ProviderGateway.Configuration;
using ProviderGateway.Tests.Configuration;

namespace ProviderGateway.Tests.Resilience;

public sealed class ResilienceOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(SectionValidation.Failures(new ResilienceOptions()));
    }

    [Fact]
    public void Every_bad_value_is_named()
    {
        var failures = SectionValidation.Failures(new ResilienceOptions
        {
            DefaultCallDeadline = TimeSpan.Zero,
            Retry = new RetryOptions { MaxRetries = -1, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) },
            CircuitBreaker = new CircuitBreakerOptions { FailureRatio = 1.5, MinimumThroughput = 1 },
            MaxConcurrentCalls = 0,
            DeadlineMarginShare = 0.6,
        });

        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:DefaultCallDeadline", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:Retry:MaxRetries", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:Retry:MaxDelay", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:CircuitBreaker:FailureRatio", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:CircuitBreaker:MinimumThroughput", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:MaxConcurrentCalls", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Gateway:Resilience:DeadlineMarginShare", StringComparison.Ordinal));
    }
}
