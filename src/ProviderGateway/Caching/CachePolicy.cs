using ZiggyCreatures.Caching.Fusion;

namespace ProviderGateway.Caching;

/// <summary>How the answers of one method of one provider are cached, with the FusionCache entry options built from it.</summary>
/// <param name="Duration">How long an answer is current (CACHED).</param>
/// <param name="FailSafeMaxDuration">The oldest an answer may be when served as STALE.</param>
/// <param name="EagerRefreshThreshold">Fraction of the duration after which a hit refreshes in the background; <c>null</c>: off.</param>
public sealed record CachePolicy(TimeSpan Duration, TimeSpan FailSafeMaxDuration, float? EagerRefreshThreshold)
{
    /// <summary>The FusionCache options of reads under this policy (shared; never modify).</summary>
    public required FusionCacheEntryOptions EntryOptions { get; init; }

    /// <summary>The same, reading the memory level only (a hit that needs nothing else; shared, never modify).</summary>
    public FusionCacheEntryOptions MemoryReadOptions => field ??= EntryOptions.Duplicate().SetSkipDistributedCacheRead(true);

    /// <summary>How old an answer may be before a hit refreshes it (eager refresh), or stops being current.</summary>
    public TimeSpan FreshFor => EagerRefreshThreshold is { } threshold ? Duration * threshold : Duration;
}
