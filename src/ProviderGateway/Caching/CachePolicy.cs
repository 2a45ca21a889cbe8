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

    /// <summary>The same, writing the memory level only: no Redis write, no message to the other instances (shared, never modify).</summary>
    public FusionCacheEntryOptions MemoryWriteOptions => field ??= MemoryOnlyWrite(EntryOptions.Duplicate());

    /// <summary>
    /// How long the shared level's copy of an answer may go without being rewritten when fetches keep finding it unchanged:
    /// half the duration, so that Redis always holds an answer fetched within the policy's duration while it is asked for.
    /// </summary>
    public TimeSpan ReshareAfter => Duration / 2;

    /// <summary>How old an answer may be before a hit refreshes it (eager refresh), or stops being current.</summary>
    public TimeSpan FreshFor => EagerRefreshThreshold is { } threshold ? Duration * threshold : Duration;

    private static FusionCacheEntryOptions MemoryOnlyWrite(FusionCacheEntryOptions options)
    {
        options.SkipDistributedCacheWrite = true;
        options.SkipBackplaneNotifications = true;
        return options;
    }
}
