using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>
/// The cache of provider answers, section <c>Gateway:Caching</c>: memory (L1) always, Redis (L2) and
/// cross-instance invalidation when <see cref="Redis"/> is set. Validated at start-up.
/// </summary>
public sealed class CachingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway:Caching";

    /// <summary>
    /// StackExchange.Redis configuration of the shared Redis, for example <c>redis.internal:6379,password=…</c>
    /// (a Sentinel or Cluster set-up works the same). Empty (the default): memory only, one instance.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>
    /// The secret of the keyed hash (HMAC-SHA256) that turns identifiers into cache keys and tags: base64
    /// of at least 32 random bytes (<c>openssl rand -base64 32</c>). Required; every instance sharing a
    /// Redis needs the same one. The embedded default makes a throw-away one.
    /// </summary>
    public string? KeySecret { get; init; }

    /// <summary>
    /// Whether values are encrypted (AES-256-GCM) before they reach Redis. Defaults to true when
    /// <see cref="Redis"/> is set; the memory level is never encrypted.
    /// </summary>
    public bool? EncryptValues { get; init; }

    /// <summary>The AES-256 key for <see cref="EncryptValues"/>: base64 of exactly 32 random bytes. Required when encrypting.</summary>
    public string? EncryptionKey { get; init; }

    /// <summary>
    /// Whether the memory level (L1) is used. Defaults to true. Turning it off sends every read to Redis:
    /// slower, but no instance can hold an answer another instance has just invalidated.
    /// </summary>
    public bool MemoryCacheEnabled { get; init; } = true;

    /// <summary>How many answers the memory level holds at most. Defaults to 50,000.</summary>
    [Range(1, int.MaxValue)]
    public int MemoryMaxEntries { get; init; } = 50_000;

    /// <summary>The prefix of every Redis key and channel of this gateway. Defaults to <c>pg:</c>.</summary>
    [Required]
    [MaxLength(32)]
    public string KeyPrefix { get; init; } = "pg:";

    /// <summary>
    /// The longest the gateway waits for one Redis operation before going on without it (memory and
    /// providers). Defaults to 250 ms.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After a Redis failure, how long the gateway does not try Redis again (so no call waits for a dead
    /// Redis). Defaults to 5 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan RedisRetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a write waits for every other instance to confirm it dropped the answers the write made
    /// stale. Defaults to 1 second; past it the write answers anyway and the shortfall is logged.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan InvalidationTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// While a provider keeps failing, how long a stale answer is served before the provider is tried
    /// again. Defaults to 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, OptionBounds.Day, MinimumIsExclusive = true)]
    public TimeSpan FailSafeRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Policies per provider method, overriding the defaults (see README, "Caching"), keyed by the
    /// method's name, for example <c>GetAccountBalance</c>. A provider can override them again in
    /// <c>Gateway:Providers:N:Caching</c>.
    /// </summary>
    public IDictionary<string, CachePolicyOptions> Methods { get; init; } = new Dictionary<string, CachePolicyOptions>(StringComparer.Ordinal);
}

/// <summary>How the answers of one provider method are cached. Unset values keep the default.</summary>
public sealed class CachePolicyOptions
{
    /// <summary>Whether the method's answers are cached at all.</summary>
    public bool? Enabled { get; init; }

    /// <summary>How long an answer is served as current (CACHED) without asking the provider.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// The oldest an answer may be to be served (as STALE) when the provider fails; past it the desk
    /// gets the provider's error.
    /// </summary>
    public TimeSpan? FailSafeMaxDuration { get; init; }

    /// <summary>
    /// Fraction of <see cref="Duration"/> (between 0 and 1, exclusive) after which a hit also refreshes the
    /// answer in the background, so that popular answers rarely expire. 0 turns eager refresh off.
    /// </summary>
    public double? EagerRefreshThreshold { get; init; }
}
