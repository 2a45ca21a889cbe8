using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using PollyCircuitState = Polly.CircuitBreaker.CircuitState;

namespace ProviderGateway.Telemetry;

/// <summary>
/// The gateway's own metrics (meter <c>ProviderGateway</c>), scraped at <c>/metrics</c> in Prometheus form:
/// front-desk calls by method and the status the desk received; provider calls and their latency by provider,
/// method and gRPC status code; cache lookups by result. Every layer records into these and none is read here: what
/// has state to show publishes its own gauge on this meter (the circuits: <c>Resilience/CircuitStateGauge</c>) or its
/// own meter (the cache, the journal). Labels carry configured names only (provider ids, method names, status
/// codes): never anything from a request.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "ProviderGateway";

    private readonly Meter _meter;
    private readonly Counter<long> _providerCalls;
    private readonly Histogram<double> _providerCallDuration;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _deskCalls;
    private readonly Counter<long> _rateLimitBorrows;

    /// <summary>Creates the instruments.</summary>
    public GatewayMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _providerCalls = _meter.CreateCounter<long>(
            "providergateway.provider.calls",
            unit: "{call}",
            description: "Calls the gateway made to providers (answers from the cache excluded), by provider, method and gRPC status code of the outcome.");
        _providerCallDuration = _meter.CreateHistogram(
            "providergateway.provider.call.duration",
            unit: "s",
            description: "Duration of the calls to providers, retries included, by provider, method and gRPC status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _cacheLookups = _meter.CreateCounter<long>(
            "providergateway.cache.lookups",
            unit: "{lookup}",
            description: "Reads under a cache policy, by provider, method and result: hit (a fresh cached answer), miss (asked the provider), stale (the provider failed; an older answer was served).");
        _deskCalls = _meter.CreateCounter<long>(
            "providergateway.desk.calls",
            unit: "{call}",
            description: "Front-desk calls answered, by method and the gRPC status code the desk received (refusals before the service included).");
        _rateLimitBorrows = _meter.CreateCounter<long>(
            "providergateway.rate_limit.borrows",
            unit: "{request}",
            description: "Requests to Redis for calls of a client's shared rate limit, by outcome: granted, empty (the client's limit is spent), failed (Redis unreachable: the instance's local bucket decides).");
    }

    /// <summary>Records one request to Redis for a batch of a client's calls: <c>granted</c>, <c>empty</c> or <c>failed</c>.</summary>
    public void RateLimitBorrow(string outcome) => _rateLimitBorrows.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Records one call to a provider: its outcome's status code and its duration.</summary>
    public void ProviderCall(string providerId, string method, StatusCode code, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "provider", providerId },
            { "method", method },
            { "code", GrpcStatusNames.Name(code) },
        };
        _providerCalls.Add(1, tags);
        _providerCallDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records a read under a cache policy by the freshness of its answer.</summary>
    public void CacheLookup(string providerId, string method, Freshness freshness) =>
        _cacheLookups.Add(1, new TagList
        {
            { "provider", providerId },
            { "method", method },
            { "result", freshness switch { Freshness.Cached => "hit", Freshness.Stale => "stale", _ => "miss" } },
        });

    /// <summary>Records one front-desk call by the status its desk received.</summary>
    public void DeskCall(string method, StatusCode code) =>
        _deskCalls.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("code", GrpcStatusNames.Name(code)));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
