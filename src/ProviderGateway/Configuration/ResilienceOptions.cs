using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// How the gateway protects desks from failing providers and providers from the gateway, section
/// <c>Gateway:Resilience</c>. Validated at start-up. Each provider's deadline and concurrency limit are
/// set on the provider (<c>Gateway:Providers:N:Deadline</c>, <c>MaxConcurrentCalls</c>).
/// </summary>
public sealed class ResilienceOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway:Resilience";

    /// <summary>The deadline of a desk's call when the desk sets none. Defaults to 10 seconds.</summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan DefaultCallDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time kept before the desk's deadline to send the answer, at least: provider calls end this much earlier, so a
    /// fan-out answers with what it has rather than not at all. Defaults to 50 ms: on a 2-core machine the
    /// answer left up to ~25 ms after the provider calls were cut, so 20 ms let it reach the desk late.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day)]
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The share of the desk's time kept to send the answer when that is more than <see cref="DeadlineMargin"/>. Defaults
    /// to 0.08 (240 ms of a 3 s deadline): what the gateway cannot see of a call's time (the request waiting in the
    /// machine before the gateway reads it, the answer waiting to leave) grows with load, and under a busy machine or a
    /// just-started process it reached 200 to 450 ms (README, chaos test).
    /// </summary>
    [Range(0.0, 0.5)]
    public double DeadlineMarginShare { get; init; } = 0.08;

    /// <summary>Retries of idempotent calls (reads, and writes with a request_id).</summary>
    [ValidateObjectMembers]
    public RetryOptions Retry { get; init; } = new();

    /// <summary>The circuit breaker kept per provider.</summary>
    [ValidateObjectMembers]
    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    /// <summary>Most calls in flight to one provider at once, unless the provider sets its own. Defaults to 64.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConcurrentCalls { get; init; } = 64;

    /// <summary>How often every provider's grpc.health.v1 is probed (active health checking). Defaults to 10 seconds.</summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan HealthProbeInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The window live-traffic figures cover (passive health checking). Defaults to 60 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", OptionBounds.Day)]
    public TimeSpan PassiveHealthWindow { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Retries of idempotent provider calls that failed UNAVAILABLE.</summary>
public sealed class RetryOptions
{
    /// <summary>
    /// Retries after the first attempt, at most. Defaults to 4 (a provider failing 30% of attempts then fails
    /// 0.3^5 = 0.24% of calls); 0 turns retries off. The retry budget bounds what they add in total.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first backoff delay, doubled at each retry, with jitter. Defaults to 25 ms.</summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The longest backoff delay. Defaults to 250 ms.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The retry budget: retries to a provider may add at most this fraction to the calls the desks make
    /// (0.5: never more than 1.5 provider calls per desk call), so retries never multiply load during an
    /// outage. Defaults to 0.5.
    /// </summary>
    [Range(0.0, 10.0)]
    public double BudgetRatio { get; init; } = 0.5;

    /// <summary>Retries per second always allowed, whatever the ratio (for quiet providers). Defaults to 10.</summary>
    [Range(0, int.MaxValue)]
    public int BudgetMinimumPerSecond { get; init; } = 10;
}

/// <summary>The circuit breaker kept per provider.</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>
    /// Share of failed calls over <see cref="SamplingDuration"/> that opens the circuit. Defaults to 0.7: the
    /// breaker is for a provider that is effectively down; a merely flaky one is better served by retries
    /// (at 30% failures, 0.5 over 20 calls would open by chance one window in twenty).
    /// </summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double FailureRatio { get; init; } = 0.7;

    /// <summary>Calls needed in <see cref="SamplingDuration"/> before the ratio counts. Defaults to 20.</summary>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; init; } = 20;

    /// <summary>The window failures are counted over. Defaults to 10 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", OptionBounds.Day)]
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an open circuit fails calls fast before letting a trial call through. Defaults to 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", OptionBounds.Day)]
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);
}
