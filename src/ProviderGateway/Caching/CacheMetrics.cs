using System.Diagnostics.Metrics;

namespace ProviderGateway.Caching;

/// <summary>The cache's own metrics (meter <see cref="MeterName"/>). No label holds a key or any request field.</summary>
public sealed class CacheMetrics
{
    /// <summary>The meter's name, to export.</summary>
    public const string MeterName = "ProviderGateway.Caching";

    private readonly Counter<long> _valuesRejected;

    /// <summary>Creates the instruments.</summary>
    public CacheMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _valuesRejected = meter.CreateCounter<long>(
            "providergateway.cache.values_rejected",
            unit: "{value}",
            description: "Values read from Redis that did not open under their key (copied from another key, edited, sealed with another key or in an older format): treated as misses.");
    }

    /// <summary>Counts one value that did not open.</summary>
    public void ValueRejected() => _valuesRejected.Add(1);
}
