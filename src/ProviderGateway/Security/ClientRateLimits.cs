using ProviderGateway.Configuration;
using ProviderGateway.Errors;
using ProviderGateway.Telemetry;

namespace ProviderGateway.Security;

/// <summary>
/// One client's rate limit: a token bucket of <see cref="RateLimitOptions.Burst"/> calls refilled continuously at
/// <see cref="RateLimitOptions.CallsPerSecond"/>, kept as the generic cell rate algorithm does, in one number (the time
/// at which the bucket would be full again) changed by one compare-and-swap: no lock, no timer, no allocation per call.
/// </summary>
/// <remarks>
/// ASP.NET Core's rate-limiting middleware (a partitioned limiter, a lease per call) cost about 2% of the gateway's CPU on
/// a cached answer, more than the rest of authentication; this is the same bucket at a fraction of it, applied where the
/// client becomes known (<see cref="ClientAuthentication"/>).
/// </remarks>
public sealed class ClientRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _interval;
    private readonly long _tolerance;

    // The "theoretical arrival time" of the next call (timestamp ticks): the bucket is full whenever it is in the past.
    private long _full;

    /// <summary>A full bucket for <paramref name="limit"/>, on <paramref name="time"/>'s clock.</summary>
    public ClientRateLimiter(RateLimitOptions limit, TimeProvider time)
    {
        _time = time;
        _interval = Math.Max(1, (long)Math.Round((double)time.TimestampFrequency / limit.CallsPerSecond));
        _tolerance = _interval * limit.Burst;
        _full = time.GetTimestamp() - _tolerance;
    }

    /// <summary>Takes one call from the bucket; false, with how long until one would pass, when it is empty.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        var full = Volatile.Read(ref _full);
        while (true)
        {
            var next = Math.Max(full, now) + _interval;
            var ahead = next - now - _tolerance;
            if (ahead > 0)
            {
                retryAfter = TimeSpan.FromSeconds((double)ahead / _time.TimestampFrequency);
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _full, next, full);
            if (seen == full)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            full = seen;
        }
    }
}

/// <summary>
/// The per-client rate limit of front-desk calls. Without Redis each instance keeps each client's bucket
/// (<see cref="ClientRateLimiter"/>); with Redis (<c>Gateway:Caching:Redis</c>, <c>Gateway:Security:SharedRateLimits</c>)
/// the bucket is every instance's, borrowed in batches (<see cref="SharedClientRateLimiter"/>). A call over the limit is
/// answered at once, unread, with gRPC RESOURCE_EXHAUSTED, an ErrorInfo (CLIENT_RATE_LIMITED) and a RetryInfo saying when
/// a call will pass, and journaled.
/// </summary>
public sealed class ClientRateLimits
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<GatewayClient, ClientRateLimiter> _local = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<GatewayClient, SharedClientRateLimiter> _shared = new();
    private readonly Func<GatewayClient, SharedClientRateLimiter>? _share;
    private readonly TimeProvider _time;

    /// <summary>Limits kept by this instance alone.</summary>
    public ClientRateLimits(TimeProvider time) => _time = time;

    /// <summary>Limits shared by every instance through <paramref name="buckets"/>.</summary>
    public ClientRateLimits(
        TimeProvider time, ISharedRateLimitBuckets buckets, SharedRateLimitOptions sharing, TimeSpan retryRedisAfter, GatewayMetrics? metrics, ILogger logger)
    {
        _time = time;
        _share = client => new SharedClientRateLimiter(client, buckets, sharing, retryRedisAfter, time, metrics, logger);
    }

    /// <summary>
    /// Takes one call from <paramref name="client"/>'s bucket: <c>null</c> when it passes, else how long until one would.
    /// Completes at once unless the instance must first borrow calls of a shared bucket.
    /// </summary>
    public ValueTask<TimeSpan?> AdmitAsync(GatewayClient client)
    {
        if (_share is null)
        {
            return new(_local.GetOrAdd(client, static (c, t) => new ClientRateLimiter(c.RateLimit, t), _time).TryTake(out var retryAfter) ? null : retryAfter);
        }

        return _shared.GetOrAdd(client, _share).AdmitAsync();
    }

    /// <summary>Refuses a call over its client's limit (RESOURCE_EXHAUSTED with RetryInfo), journaled.</summary>
    public static Task RefuseAsync(HttpContext context, FrontDeskCall call, GatewayClient client, TimeSpan retryAfter)
    {
        AccessJournaling.JournalRefusal(context, call, Grpc.Core.StatusCode.ResourceExhausted);
        var wait = retryAfter > TimeSpan.FromMilliseconds(1) ? retryAfter : TimeSpan.FromMilliseconds(1);
        return EarlyStatus.WriteAsync(context, SecurityErrors.RateLimited(client.Id, wait));
    }
}
