using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>Checks <see cref="ResilienceOptions"/> at start-up, naming each bad key.</summary>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    private const string Section = ResilienceOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        var failures = new List<string>();
        Positive(failures, "DefaultCallDeadline", options.DefaultCallDeadline);
        if (options.DeadlineMargin < TimeSpan.Zero || options.DeadlineMargin >= options.DefaultCallDeadline)
        {
            failures.Add($"{Section}:DeadlineMargin must be zero or more and below DefaultCallDeadline; it is {options.DeadlineMargin}.");
        }

        if (!(options.DeadlineMarginShare is >= 0 and <= 0.5))
        {
            failures.Add($"{Section}:DeadlineMarginShare must be 0 to 0.5; it is {options.DeadlineMarginShare}.");
        }

        if (options.Retry.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{Section}:Retry:MaxRetries must be 0 to 10; it is {options.Retry.MaxRetries}.");
        }

        Positive(failures, "Retry:BaseDelay", options.Retry.BaseDelay);
        if (options.Retry.MaxDelay < options.Retry.BaseDelay)
        {
            failures.Add($"{Section}:Retry:MaxDelay must not be below Retry:BaseDelay.");
        }

        if (options.Retry.BudgetRatio is < 0 or > 10)
        {
            failures.Add($"{Section}:Retry:BudgetRatio must be 0 to 10 (retries per call); it is {options.Retry.BudgetRatio}.");
        }

        if (options.Retry.BudgetMinimumPerSecond < 0)
        {
            failures.Add($"{Section}:Retry:BudgetMinimumPerSecond must be zero or more.");
        }

        if (options.CircuitBreaker.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Section}:CircuitBreaker:FailureRatio must be above 0 and at most 1; it is {options.CircuitBreaker.FailureRatio}.");
        }

        if (options.CircuitBreaker.MinimumThroughput < 2)
        {
            failures.Add($"{Section}:CircuitBreaker:MinimumThroughput must be at least 2; it is {options.CircuitBreaker.MinimumThroughput}.");
        }

        if (options.CircuitBreaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{Section}:CircuitBreaker:SamplingDuration must be at least 0.5 s; it is {options.CircuitBreaker.SamplingDuration}.");
        }

        if (options.CircuitBreaker.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{Section}:CircuitBreaker:BreakDuration must be at least 0.5 s; it is {options.CircuitBreaker.BreakDuration}.");
        }

        if (options.MaxConcurrentCalls < 1)
        {
            failures.Add($"{Section}:MaxConcurrentCalls must be at least 1; it is {options.MaxConcurrentCalls}.");
        }

        Positive(failures, "HealthProbeInterval", options.HealthProbeInterval);
        if (options.PassiveHealthWindow < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:PassiveHealthWindow must be at least 1 second; it is {options.PassiveHealthWindow}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{key} must be above zero; it is {value}.");
        }
    }
}
