using ProviderGateway.Configuration;

namespace ProviderGateway.Delivery;

/// <summary>
/// When a submission is attempted next: at once when no attempt reached the provider yet; after the n-th attempt that did,
/// <see cref="SubmissionOptions.FirstRetryDelay"/> doubled n-1 times up to <see cref="SubmissionOptions.MaxRetryDelay"/>,
/// with equal jitter (half fixed, half random), so the submissions of a provider that comes back do not all retry at once.
/// </summary>
public static class SubmissionBackoff
{
    /// <summary>The wait after <paramref name="attempts"/> attempts that reached the provider.</summary>
    public static TimeSpan Delay(SubmissionOptions options, int attempts)
    {
        if (attempts <= 0)
        {
            return TimeSpan.Zero;
        }

        var doubled = options.FirstRetryDelay.Ticks * Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = (long)Math.Min(doubled, options.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((delay / 2) + Random.Shared.NextInt64((delay / 2) + 1));
    }
}

/// <summary>
/// Wakes the relay when a submission was accepted or a delivery ended, so that it need not wait for its next poll, and tells
/// it which providers may have something due (<see cref="TakeWoken"/>).
/// </summary>
public sealed class SubmissionRelaySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _woken = new(StringComparer.Ordinal);

    /// <summary>Wakes the relay for <paramref name="providerId"/> (once, however often called before it wakes).</summary>
    public void Wake(string providerId)
    {
        _woken.TryAdd(providerId, 0);
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Woken already.
        }
    }

    /// <summary>The providers woken for since the last call, forgotten as they are returned.</summary>
    public IEnumerable<string> TakeWoken()
    {
        foreach (var providerId in _woken.Keys)
        {
            if (_woken.TryRemove(providerId, out _))
            {
                yield return providerId;
            }
        }
    }

    /// <summary>Waits until woken or <paramref name="timeout"/> passed.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _signal.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }
}
