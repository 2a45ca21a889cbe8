using System.Diagnostics.Metrics;

namespace ProviderGateway.Caching;

/// <summary>The cache's own metrics (meter <see cref="MeterName"/>): Redis values rejected, Redis reachability. No label holds a key or any request field.</summary>
public sealed class CacheMetrics
{
    /// <summary>The meter's name, to export.</summary>
    public const string MeterName = "ProviderGateway.Caching";

    private readonly Counter<long> _valuesRejected;

    /// <summary>Creates the instruments; with Redis configured, its reachability as a gauge.</summary>
    public CacheMetrics(IMeterFactory meters, RedisConnection? redis = null)
    {
        var meter = meters.Create(MeterName);
        if (redis is not null)
        {
            meter.CreateObservableGauge(
                "providergateway.redis.up",
                () => redis.IsConnected ? 1 : 0,
                unit: "{up}",
                description: "1 while the gateway is connected to Redis, 0 while it is not (answers then come from memory and providers).");
        }

        _valuesRejected = meter.CreateCounter<long>(
            "providergateway.cache.values_rejected",
            unit: "{value}",
            description: "Values read from Redis that did not open under their key (copied from another key, edited, sealed with another key or in an older format): treated as misses.");
    }

    /// <summary>Counts one value that did not open.</summary>
    public void ValueRejected() => _valuesRejected.Add(1);
}
