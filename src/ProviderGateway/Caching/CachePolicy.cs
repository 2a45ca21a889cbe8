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
}
