namespace ProviderGateway.Resilience;

/// <summary>
/// How many retries one provider may still receive: every call the desks cause deposits
/// <c>ratio</c> of a retry, a floor of <c>minimumPerSecond</c> retries per second is always allowed, and
/// each retry spends one. During an outage, retries can therefore add at most <c>ratio</c> (plus the floor)
/// to the provider's load instead of multiplying it by the number of attempts. (Polly has no budget of its
/// own; this is the retry budget of Finagle and Envoy, in a few lines.)
/// </summary>
public sealed class RetryBudget(double ratio, int minimumPerSecond, TimeProvider time)
{
    /// <summary>
    /// The most retries banked: enough to ride out the random runs of failures of a flaky provider, small
    /// beside the load of a busy one. 100, or ten seconds of the floor if that is more.
    /// </summary>
    public double Capacity { get; } = Math.Max(100, minimumPerSecond * 10);

    private readonly Lock _lock = new();
    private double _tokens = Math.Max(100, minimumPerSecond * 10);
    private long _refilled = time.GetTimestamp();
    private long _calls;
    private long _retries;
    private long _refused;

    /// <summary>Calls counted (desk-initiated, first attempts).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Retries granted.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Retries refused for want of budget.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Counts a new call to the provider (its first attempt).</summary>
    public void OnCall()
    {
        Interlocked.Increment(ref _calls);
        lock (_lock)
        {
            Refill();
            _tokens = Math.Min(Capacity, _tokens + ratio);
        }
    }

    /// <summary>Spends one retry if the budget allows it.</summary>
    public bool TryRetry()
    {
        lock (_lock)
        {
            Refill();
            if (_tokens >= 1)
            {
                _tokens -= 1;
                Interlocked.Increment(ref _retries);
                return true;
            }
        }

        Interlocked.Increment(ref _refused);
        return false;
    }

    private void Refill()
    {
        var now = time.GetTimestamp();
        var seconds = time.GetElapsedTime(_refilled, now).TotalSeconds;
        _refilled = now;
        _tokens = Math.Min(Capacity, _tokens + (seconds * minimumPerSecond));
    }
}
