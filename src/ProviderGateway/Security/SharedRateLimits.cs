using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Telemetry;
using StackExchange.Redis;

namespace ProviderGateway.Security;

/// <summary>A batch of calls borrowed from a client's shared bucket: how many, and when asking again may get some.</summary>
/// <param name="Granted">Calls granted, from 0 to the number asked for.</param>
/// <param name="Wait">With none granted: how long until the bucket holds a batch again.</param>
public readonly record struct RateLimitGrant(int Granted, TimeSpan Wait);

/// <summary>Where the instances' shared buckets are kept (Redis: <see cref="RedisRateLimitBuckets"/>).</summary>
public interface ISharedRateLimitBuckets
{
    /// <summary>
    /// Takes up to <paramref name="calls"/> calls from <paramref name="clientId"/>'s bucket; with none there, says how long
    /// until it holds <paramref name="batch"/>. Throws when the store cannot be reached.
    /// </summary>
    Task<RateLimitGrant> TakeAsync(string clientId, RateLimitOptions limit, int calls, int batch);
}

/// <summary>
/// Every client's token bucket in Redis, one hash per client (<c>{KeyPrefix}ratelimit:{client id}</c>: the tokens left
/// and when they were counted), changed by one Lua script that refills the bucket on Redis's clock (so the instances'
/// clocks do not matter), grants up to the calls asked for, and says how long until a batch is there again.
/// </summary>
/// <remarks>
/// RedisRateLimiting 1.2.1 (evaluated first) runs its script on every call, a Redis round trip per call, and plugs into
/// ASP.NET Core's rate-limiting middleware, which this gateway left for its cost on every call
/// (<see cref="ClientRateLimiter"/>): it does not fit. This script is the same token bucket, asked for batches.
/// </remarks>
public sealed class RedisRateLimitBuckets(RedisConnection redis, IOptions<CachingOptions> caching) : ISharedRateLimitBuckets
{
    private const string Script = """
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local want = tonumber(ARGV[3])
        local batch = tonumber(ARGV[4])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil then
          tokens = burst
          at = now
        end
        if now > at then
          tokens = math.min(burst, tokens + (now - at) * rate / 1000000)
        end
        local granted = math.max(0, math.min(want, math.floor(tokens)))
        tokens = tokens - granted
        redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.0f', now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
        local wait = 0
        if granted == 0 then
          wait = math.ceil((math.min(batch, burst) - tokens) * 1000000 / rate)
        end
        return { granted, wait }
        """;

    private readonly string _prefix = caching.Value.KeyPrefix + "ratelimit:";

    /// <inheritdoc />
    public async Task<RateLimitGrant> TakeAsync(string clientId, RateLimitOptions limit, int calls, int batch)
    {
        var result = (RedisResult[])(await redis.Multiplexer.GetDatabase().ScriptEvaluateAsync(
            Script,
            [(RedisKey)(_prefix + clientId)],
            [limit.CallsPerSecond, limit.Burst, calls, batch]).ConfigureAwait(false))!;
        return new RateLimitGrant((int)result[0], TimeSpan.FromTicks((long)result[1] * 10));
    }
}

/// <summary>
/// One client's share of its limit on this instance: calls borrowed from the shared bucket in batches
/// (<c>SharedRateLimits:BorrowWindow</c> at the client's rate) and taken here by compare-and-swap, so a call costs no Redis
/// round trip; the next batch is asked for in the background once half of one is left, and a call that finds none waits
/// for that one request, shared with every call arriving meanwhile (which asks for as many calls as are waiting, up to the
/// burst). When the bucket is spent, calls are refused here
/// until it holds a batch again. When Redis cannot be reached, a local bucket of the limit divided by
/// <c>SharedRateLimits:Instances</c> decides, and Redis is asked again after <c>Caching:RedisRetryAfter</c>.
/// </summary>
public sealed class SharedClientRateLimiter
{
    private const int MaxBorrowsPerCall = 3;

    private readonly GatewayClient _client;
    private readonly ISharedRateLimitBuckets _buckets;
    private readonly ClientRateLimiter _local;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly int _batch;
    private readonly long _retryAfter;
    private readonly TimeSpan _batchTime;

    private long _tokens;
    private int _waiting;
    private long _emptyUntil;
    private long _unreachableUntil;
    private Task? _borrowing;

    /// <summary>Creates the client's share, with nothing borrowed yet.</summary>
    public SharedClientRateLimiter(
        GatewayClient client, ISharedRateLimitBuckets buckets, SharedRateLimitOptions sharing, TimeSpan retryRedisAfter, TimeProvider time, GatewayMetrics? metrics, ILogger logger)
    {
        _client = client;
        _buckets = buckets;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var limit = client.RateLimit;
        _batch = (int)Math.Clamp(Math.Ceiling(limit.CallsPerSecond * sharing.BorrowWindow.TotalSeconds), 1, limit.Burst);
        _retryAfter = (long)(retryRedisAfter.TotalSeconds * time.TimestampFrequency);
        _batchTime = TimeSpan.FromSeconds((double)_batch / limit.CallsPerSecond);
        _local = new ClientRateLimiter(
            new RateLimitOptions { CallsPerSecond = Math.Max(1, limit.CallsPerSecond / sharing.Instances), Burst = Math.Max(1, limit.Burst / sharing.Instances) },
            time);
    }

    /// <summary>The calls borrowed at a time.</summary>
    public int Batch => _batch;

    /// <summary>
    /// Takes one call: <c>null</c> when it may pass, else how long until one would. Completes at once unless this instance
    /// holds no borrowed call and the bucket may have some.
    /// </summary>
    public ValueTask<TimeSpan?> AdmitAsync()
    {
        if (TryTakeBorrowed())
        {
            return default;
        }

        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _unreachableUntil))
        {
            return new(Local());
        }

        var emptyUntil = Volatile.Read(ref _emptyUntil);
        return now < emptyUntil ? new(Wait(now, emptyUntil)) : new(AdmitAfterBorrowingAsync());
    }

    private bool TryTakeBorrowed()
    {
        var tokens = Volatile.Read(ref _tokens);
        while (tokens > 0)
        {
            var seen = Interlocked.CompareExchange(ref _tokens, tokens - 1, tokens);
            if (seen == tokens)
            {
                if (tokens - 1 <= _batch / 2)
                {
                    PrefetchIfDue();
                }

                return true;
            }

            tokens = seen;
        }

        return false;
    }

    // Half a batch left: the next one is asked for now, so calls rarely find none; not while the bucket is known spent or
    // Redis unreachable (then only a call that finds none asks, once the wait is over).
    private void PrefetchIfDue()
    {
        var now = _time.GetTimestamp();
        if (now >= Volatile.Read(ref _emptyUntil) && now >= Volatile.Read(ref _unreachableUntil))
        {
            _ = BorrowAsync();
        }
    }

    private async Task<TimeSpan?> AdmitAfterBorrowingAsync()
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            // A burst larger than a batch: each request asks for the calls waiting (up to the burst); a call that found
            // the batch taken by the others asks again, as long as Redis granted something, rather than being refused
            // while the shared bucket still holds calls.
            for (var attempt = 0; attempt < MaxBorrowsPerCall; attempt++)
            {
                await BorrowAsync().ConfigureAwait(false);
                if (TryTakeBorrowed())
                {
                    return null;
                }

                var now = _time.GetTimestamp();
                if (now < Volatile.Read(ref _unreachableUntil))
                {
                    return Local();
                }

                var emptyUntil = Volatile.Read(ref _emptyUntil);
                if (now < emptyUntil)
                {
                    return Wait(now, emptyUntil);   // the bucket is spent: refused until a batch is there again
                }
            }

            return _batchTime;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    // One request to Redis at a time per client on this instance; every call arriving meanwhile waits for the same one.
    private Task BorrowAsync()
    {
        if (Volatile.Read(ref _borrowing) is { } running)
        {
            return running;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _borrowing, done.Task, null) is { } other)
        {
            return other;
        }

        _ = BorrowCoreAsync(done);
        return done.Task;
    }

    private async Task BorrowCoreAsync(TaskCompletionSource done)
    {
        try
        {
            var want = Math.Clamp(Volatile.Read(ref _waiting), _batch, _client.RateLimit.Burst);
            var grant = await _buckets.TakeAsync(_client.Id, _client.RateLimit, want, _batch).ConfigureAwait(false);
            var now = _time.GetTimestamp();
            if (grant.Granted > 0)
            {
                Interlocked.Add(ref _tokens, grant.Granted);
                Volatile.Write(ref _emptyUntil, 0);
                _metrics?.RateLimitBorrow("granted");
            }
            else
            {
                Volatile.Write(ref _emptyUntil, now + (long)(grant.Wait.TotalSeconds * _time.TimestampFrequency));
                _metrics?.RateLimitBorrow("empty");
            }

            if (Interlocked.Exchange(ref _unreachableUntil, 0) != 0)
            {
                SecurityLog.SharedRateLimitRestored(_logger, _client.Id);
            }
        }
        catch (Exception e)
        {
            // Whatever failed (Redis unreachable or timed out, the multiplexer disposed, an answer not as expected), the
            // calls must not fail with it: this instance's local bucket decides until Redis is asked again.
            _metrics?.RateLimitBorrow("failed");
            if (Interlocked.Exchange(ref _unreachableUntil, _time.GetTimestamp() + _retryAfter) == 0)
            {
                SecurityLog.SharedRateLimitUnreachable(_logger, _client.Id, e.GetType().Name);
            }
        }
        finally
        {
            Volatile.Write(ref _borrowing, null);
            done.SetResult();
        }
    }

    private TimeSpan? Local() => _local.TryTake(out var retryAfter) ? null : retryAfter;

    private TimeSpan Wait(long now, long until) => TimeSpan.FromSeconds((double)(until - now) / _time.TimestampFrequency);
}

/// <summary>Log messages of the shared rate limits.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Client {ClientId}'s shared rate limit cannot reach Redis ({Failure}): this instance's local bucket limits it (Gateway:Security:SharedRateLimits:Instances) until Redis answers")]
    public static partial void SharedRateLimitUnreachable(ILogger logger, string clientId, string failure);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Client {ClientId}'s shared rate limit reaches Redis again")]
    public static partial void SharedRateLimitRestored(ILogger logger, string clientId);
}
