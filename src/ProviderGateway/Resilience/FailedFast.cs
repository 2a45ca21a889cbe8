namespace ProviderGateway.Resilience;

/// <summary>
/// Why a call was refused without reaching the provider. Never thrown: returned as the outcome of a call,
/// so that refusing thousands of calls a second costs next to nothing (a thrown exception, or one given a
/// stack trace, costs far more than the refusal).
/// </summary>
public abstract class FailedFast(string message) : Exception(message);

/// <summary>The provider's circuit is open; calls are refused until <see cref="RetryAfter"/> has passed.</summary>
public sealed class CircuitOpenRefusal(TimeSpan retryAfter)
    : FailedFast("The provider's circuit is open.")
{
    /// <summary>How long until a trial call is let through.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The provider already has the most calls in flight the gateway allows it.</summary>
public sealed class ConcurrencyLimitRefusal() : FailedFast("The provider has its maximum of calls in flight.");
