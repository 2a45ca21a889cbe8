using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using StackExchange.Redis;

namespace ProviderGateway.Caching;

/// <summary>
/// The one connection to Redis that the cache (L2), FusionCache's backplane and the invalidation
/// confirmations share. It never blocks start-up or a call: when Redis is down the multiplexer keeps
/// reconnecting in the background, and the gateway works from memory and providers meanwhile.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    /// <summary>Prepares the connection (opened on first use).</summary>
    public RedisConnection(IOptions<CachingOptions> options, ILogger<RedisConnection> logger)
    {
        var settings = options.Value;
        var configuration = ConfigurationOptions.Parse(settings.Redis!);
        // Start even when Redis is down, and keep trying: Redis is an optimisation, never a dependency.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectRetry = 1;
        // The one bound on every Redis operation: RedisTimeout, checked by the heartbeat at least as often.
        configuration.ConnectTimeout = (int)Math.Max(250, settings.RedisTimeout.TotalMilliseconds * 4);
        configuration.AsyncTimeout = (int)Math.Max(50, settings.RedisTimeout.TotalMilliseconds);
        configuration.SyncTimeout = configuration.AsyncTimeout;
        configuration.HeartbeatInterval = settings.RedisTimeout < TimeSpan.FromSeconds(1) ? settings.RedisTimeout : TimeSpan.FromSeconds(1);
        configuration.ReconnectRetryPolicy = new ExponentialRetry(250, 5000);
        // While disconnected, commands fail at once instead of queueing until the timeout.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "provider-gateway";
        Endpoints = string.Join(", ", configuration.EndPoints.Select(e => e.ToString()));
        _multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var multiplexer = ConnectionMultiplexer.Connect(configuration);
            multiplexer.ConnectionFailed += (_, e) => CachingLog.RedisLost(logger, e.FailureType.ToString());
            multiplexer.ConnectionRestored += (_, _) => CachingLog.RedisRestored(logger);
            return multiplexer;
        });
    }

    /// <summary>The configured endpoints, for logs.</summary>
    public string Endpoints { get; }

    /// <summary>The shared multiplexer.</summary>
    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    /// <summary>True when Redis is reachable now.</summary>
    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsConnected;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_multiplexer.IsValueCreated)
        {
            return;
        }

        try
        {
            await _multiplexer.Value.DisposeAsync().ConfigureAwait(false);
        }
        catch (NullReferenceException)
        {
            // StackExchange.Redis can throw this from inside its close, while its connections are being torn down
            // (StackExchange/StackExchange.Redis#2754, open): they are closed all the same, and the rest of the host must
            // still be disposed (a gateway left half-disposed kept its meters alive in the test suite).
        }
    }
}
