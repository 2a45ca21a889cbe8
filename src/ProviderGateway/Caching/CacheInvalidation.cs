using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace ProviderGateway.Caching;

/// <summary>
/// Removes the cached answers a write made stale, on every gateway instance, before the write answers.
/// <para>
/// FusionCache's tagging and backplane do the removal (in memory here, in Redis, and as a message to the
/// other instances), but a backplane message is processed whenever it arrives. So the write also asks every
/// other instance, on a channel of its own, to drop the tag from its memory, and waits (at most
/// <see cref="CachingOptions.InvalidationTimeout"/>) until each one confirms. A desk whose next read lands on
/// another instance therefore never sees the answer its own write made stale.
/// </para>
/// </summary>
public sealed class CacheInvalidation : IHostedService
{
    private const char Separator = '|';

    // Removal in this instance's memory only: used when another instance asks.
    private static readonly FusionCacheEntryOptions LocalOnly = new()
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
        Size = 1,
    };

    private readonly IFusionCache _cache;
    private readonly RedisConnection? _redis;
    private readonly ILogger<CacheInvalidation> _logger;
    private readonly TimeSpan _timeout;
    private readonly string _instanceId;
    private readonly string _keyPrefix;
    private readonly RedisChannel _requests;
    private readonly RedisChannel _confirmations;
    private readonly FusionCacheEntryOptions _everywhere;
    private readonly ConcurrentDictionary<string, PendingConfirmation> _pending = new(StringComparer.Ordinal);
    private int _subscribed;

    /// <summary>Creates the invalidation of this instance.</summary>
    public CacheInvalidation(IFusionCache cache, IOptions<CachingOptions> options, ILogger<CacheInvalidation> logger, RedisConnection? redis = null)
    {
        _cache = cache;
        _redis = redis;
        _logger = logger;
        _timeout = options.Value.InvalidationTimeout;
        _instanceId = cache.InstanceId;
        _keyPrefix = options.Value.KeyPrefix;
        _requests = RedisChannel.Literal($"{_keyPrefix}invalidate");
        _confirmations = ConfirmationsOf(_instanceId);
        // The writer's own removal: Redis and the backplane message are done before the write answers.
        _everywhere = new FusionCacheEntryOptions
        {
            AllowBackgroundDistributedCacheOperations = false,
            AllowBackgroundBackplaneOperations = false,
            DistributedCacheHardTimeout = options.Value.RedisTimeout,
            Size = 1,
        };
    }

    /// <summary>Removes every cached answer about a citizen from a provider, on every instance.</summary>
    public async Task InvalidateAsync(string tag)
    {
        // HERE, IN REDIS, AND THE BACKPLANE MESSAGE. The write it follows was applied by the provider: a Redis that dies
        // meanwhile never turns it into a failure (this instance's memory is cleared first; the rest is logged).
        try
        {
            await _cache.RemoveByTagAsync(tag, _everywhere).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CachingLog.InvalidationNotBroadcast(_logger, ex.GetType().Name);
            // At least this instance forgets the answers the write made stale.
            await _cache.RemoveByTagAsync(tag, new FusionCacheEntryOptions { SkipDistributedCacheRead = true, SkipDistributedCacheWrite = true, SkipBackplaneNotifications = true, Size = 1 }).ConfigureAwait(false);
            return;
        }

        // EVERY OTHER INSTANCE, CONFIRMED
        if (_redis is not { IsConnected: true })
        {
            return;
        }

        var request = Guid.NewGuid().ToString("N");
        var pending = new PendingConfirmation();
        _pending[request] = pending;
        try
        {
            var receivers = await _redis.Multiplexer.GetSubscriber()
                .PublishAsync(_requests, $"{request}{Separator}{_instanceId}{Separator}{tag}").ConfigureAwait(false);
            // Every instance subscribes, this one included: the others are the receivers but one.
            if (!await pending.WaitAsync((int)receivers - 1, _timeout).ConfigureAwait(false))
            {
                CachingLog.InvalidationUnconfirmed(_logger, pending.Confirmed, (int)receivers - 1, _timeout.TotalMilliseconds);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CachingLog.InvalidationNotBroadcast(_logger, ex.GetType().Name);
        }
        finally
        {
            _pending.TryRemove(request, out _);
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return;
        }

        // Subscriptions made once are restored by the multiplexer after every reconnection; if Redis is
        // down at start-up, subscribing is tried again when it comes back.
        _redis.Multiplexer.ConnectionRestored += (_, _) => _ = SubscribeAsync();
        await SubscribeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private RedisChannel ConfirmationsOf(string instanceId) => RedisChannel.Literal($"{_keyPrefix}invalidated:{instanceId}");

    private async Task SubscribeAsync()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            return;
        }

        try
        {
            var subscriber = _redis!.Multiplexer.GetSubscriber();
            await subscriber.SubscribeAsync(_requests, (_, message) => OnRequest(message!)).ConfigureAwait(false);
            await subscriber.SubscribeAsync(_confirmations, (_, message) => OnConfirmation(message!)).ConfigureAwait(false);
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            CachingLog.SubscribeFailed(_logger, ex.GetType().Name);
        }
    }

    // A subscription handler cannot be awaited; the work goes on the thread pool and reports its own failures.
    private void OnRequest(string message) => _ = OnRequestAsync(message);

    private async Task OnRequestAsync(string message)
    {
        var parts = message.Split(Separator, 3);
        if (parts.Length != 3 || parts[1] == _instanceId)
        {
            return;
        }

        try
        {
            await _cache.RemoveByTagAsync(parts[2], LocalOnly).ConfigureAwait(false);
            await _redis!.Multiplexer.GetSubscriber()
                .PublishAsync(ConfirmationsOf(parts[1]), parts[0]).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Unconfirmed, the writer logs a shortfall and goes on; this instance's copies expire with their policy.
            CachingLog.InvalidationNotBroadcast(_logger, ex.GetType().Name);
        }
    }

    private void OnConfirmation(string request)
    {
        if (_pending.TryGetValue(request, out var pending))
        {
            pending.Confirm();
        }
    }

    /// <summary>Counts confirmations, which may arrive before the number expected is known.</summary>
    private sealed class PendingConfirmation
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _confirmed;
        private int _expected = int.MaxValue;

        public int Confirmed => Volatile.Read(ref _confirmed);

        public void Confirm()
        {
            if (Interlocked.Increment(ref _confirmed) >= Volatile.Read(ref _expected))
            {
                _done.TrySetResult();
            }
        }

        public async Task<bool> WaitAsync(int expected, TimeSpan timeout)
        {
            Volatile.Write(ref _expected, expected);
            if (Confirmed >= expected)
            {
                return true;
            }

            try
            {
                await _done.Task.WaitAsync(timeout).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
