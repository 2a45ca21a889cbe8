using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ZiggyCreatures.Caching.Fusion;

namespace ProviderGateway.Caching;

/// <summary>
/// The cache policy of every (provider, read method): the defaults below, overridden by
/// <c>Gateway:Caching:Methods</c>, overridden again by <c>Gateway:Providers:N:Caching</c>. Writes are
/// never cached: they have no policy. Resolved once at start-up.
/// </summary>
public sealed class CachePolicies
{
    /// <summary>
    /// The defaults, by read method: balances change with every payment (minutes), parcels rarely (an
    /// hour), benefits in between; certificate orders and applications move on as the desk waits.
    /// Documented in the README ("Caching"); a test keeps the two in step.
    /// </summary>
    public static IReadOnlyDictionary<string, (TimeSpan Duration, TimeSpan FailSafeMaxDuration, double EagerRefreshThreshold)> Defaults { get; } =
        new Dictionary<string, (TimeSpan, TimeSpan, double)>(StringComparer.Ordinal)
        {
            ["ListAccounts"] = (TimeSpan.FromMinutes(10), TimeSpan.FromHours(24), 0.8),
            ["GetAccountBalance"] = (TimeSpan.FromMinutes(2), TimeSpan.FromHours(6), 0.8),
            ["ListInvoices"] = (TimeSpan.FromMinutes(30), TimeSpan.FromHours(24), 0.8),
            ["ListPayments"] = (TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), 0.8),
            ["ListParcels"] = (TimeSpan.FromHours(1), TimeSpan.FromDays(7), 0.9),
            ["GetParcel"] = (TimeSpan.FromHours(1), TimeSpan.FromDays(7), 0.9),
            ["GetCertificateOrder"] = (TimeSpan.FromSeconds(15), TimeSpan.FromHours(1), 0),
            ["ListBenefits"] = (TimeSpan.FromMinutes(15), TimeSpan.FromHours(24), 0.8),
            ["ListBenefitPayments"] = (TimeSpan.FromMinutes(15), TimeSpan.FromHours(24), 0.8),
            ["CheckEligibility"] = (TimeSpan.FromMinutes(15), TimeSpan.FromHours(6), 0),
            ["GetApplication"] = (TimeSpan.FromSeconds(30), TimeSpan.FromHours(1), 0),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<(string ProviderId, string Method), CachePolicy?> _policies;

    /// <summary>Resolves every policy from validated options.</summary>
    public CachePolicies(IOptions<GatewayOptions> gateway, IOptions<CachingOptions> caching)
    {
        var settings = caching.Value;
        var policies = new Dictionary<(string, string), CachePolicy?>();
        foreach (var provider in gateway.Value.Providers)
        {
            foreach (var (method, defaults) in Defaults)
            {
                var global = settings.Methods.TryGetValue(method, out var g) ? g : null;
                var own = provider.Caching.TryGetValue(method, out var o) ? o : null;
                var enabled = own?.Enabled ?? global?.Enabled ?? true;
                var duration = own?.Duration ?? global?.Duration ?? defaults.Duration;
                var maximum = own?.FailSafeMaxDuration ?? global?.FailSafeMaxDuration ?? defaults.FailSafeMaxDuration;
                var eager = own?.EagerRefreshThreshold ?? global?.EagerRefreshThreshold ?? defaults.EagerRefreshThreshold;
                policies[(provider.Id, method)] = enabled ? Create(duration, maximum, eager, settings) : null;
            }
        }

        _policies = policies.ToFrozenDictionary();
    }

    /// <summary>The policy of a provider's read method; <c>null</c> when it is not cached (or is a write).</summary>
    public CachePolicy? For(string providerId, string method) => _policies.GetValueOrDefault((providerId, method));

    /// <summary>Checks a policy override, adding a message naming <paramref name="key"/> for each problem.</summary>
    internal static void Validate(string key, string method, CachePolicyOptions policy, List<string> failures)
    {
        if (!Defaults.ContainsKey(method))
        {
            failures.Add($"{key} names '{method}', which is not a read method of any provider contract (writes are never cached); one of: {string.Join(", ", Defaults.Keys)}.");
            return;
        }

        if (policy.Duration is { } duration && duration <= TimeSpan.Zero)
        {
            failures.Add($"{key}:Duration must be above zero; it is {duration.ToString("c", CultureInfo.InvariantCulture)}.");
        }

        if (policy.FailSafeMaxDuration is { } maximum && maximum <= TimeSpan.Zero)
        {
            failures.Add($"{key}:FailSafeMaxDuration must be above zero; it is {maximum.ToString("c", CultureInfo.InvariantCulture)}.");
        }

        if (policy.EagerRefreshThreshold is { } eager && (eager < 0 || eager >= 1))
        {
            failures.Add($"{key}:EagerRefreshThreshold must be 0 (off) or between 0 and 1; it is {eager.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static CachePolicy Create(TimeSpan duration, TimeSpan failSafeMaxDuration, double eager, CachingOptions settings)
    {
        // A stale answer can never be older than the time it is current.
        failSafeMaxDuration = failSafeMaxDuration < duration ? duration : failSafeMaxDuration;
        float? threshold = eager > 0 ? (float)eager : null;
        return new CachePolicy(duration, failSafeMaxDuration, threshold)
        {
            EntryOptions = new FusionCacheEntryOptions
            {
                Duration = duration,
                IsFailSafeEnabled = true,
                FailSafeMaxDuration = failSafeMaxDuration,
                FailSafeThrottleDuration = settings.FailSafeRetryAfter < duration ? settings.FailSafeRetryAfter : duration,
                EagerRefreshThreshold = threshold,
                // Every answer counts as one entry against CachingOptions.MemoryMaxEntries.
                Size = 1,
                SkipMemoryCacheRead = !settings.MemoryCacheEnabled,
                SkipMemoryCacheWrite = !settings.MemoryCacheEnabled,
                // Storing in Redis never holds up the desk. A Redis that does not answer is given up on by the
                // connection's own timeout (RedisConnection): a FusionCache timeout too would cost a timer per read.
                AllowBackgroundDistributedCacheOperations = true,
                AllowBackgroundBackplaneOperations = true,
            },
        };
    }
}
