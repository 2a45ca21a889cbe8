namespace ProviderGateway.TestSupport.Settings;

/// <summary>Resilience, <c>Gateway:Resilience:…</c> (README, Resilience).</summary>
public sealed class ResilienceSettings : SettingsSection
{
    /// <summary><c>DefaultCallDeadline</c>.</summary>
    public ResilienceSettings DefaultCallDeadline(TimeSpan deadline)
    {
        Set("DefaultCallDeadline", deadline);
        return this;
    }

    /// <summary><c>DeadlineMargin</c>.</summary>
    public ResilienceSettings DeadlineMargin(TimeSpan margin)
    {
        Set("DeadlineMargin", margin);
        return this;
    }

    /// <summary><c>DeadlineMarginShare</c>.</summary>
    public ResilienceSettings DeadlineMarginShare(double share)
    {
        Set("DeadlineMarginShare", share);
        return this;
    }

    /// <summary><c>MaxConcurrentCalls</c>.</summary>
    public ResilienceSettings MaxConcurrentCalls(int calls)
    {
        Set("MaxConcurrentCalls", calls);
        return this;
    }

    /// <summary><c>HealthProbeInterval</c>.</summary>
    public ResilienceSettings HealthProbeInterval(TimeSpan interval)
    {
        Set("HealthProbeInterval", interval);
        return this;
    }

    /// <summary><c>Retry:MaxRetries</c>.</summary>
    public ResilienceSettings MaxRetries(int retries)
    {
        Set("Retry:MaxRetries", retries);
        return this;
    }

    /// <summary><c>Retry:MaxDelay</c>.</summary>
    public ResilienceSettings RetryMaxDelay(TimeSpan delay)
    {
        Set("Retry:MaxDelay", delay);
        return this;
    }

    /// <summary><c>CircuitBreaker:MinimumThroughput</c>, and <c>FailureRatio</c>, <c>BreakDuration</c> when given.</summary>
    public ResilienceSettings CircuitBreaker(int minimumThroughput, double? failureRatio = null, TimeSpan? breakDuration = null)
    {
        Set("CircuitBreaker:MinimumThroughput", minimumThroughput);
        if (failureRatio is { } ratio)
        {
            Set("CircuitBreaker:FailureRatio", ratio);
        }

        if (breakDuration is { } duration)
        {
            Set("CircuitBreaker:BreakDuration", duration);
        }

        return this;
    }
}
