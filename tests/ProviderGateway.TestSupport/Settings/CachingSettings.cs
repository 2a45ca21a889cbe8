namespace ProviderGateway.TestSupport.Settings;

/// <summary>The cache, <c>Gateway:Caching:…</c> (README, Caching).</summary>
public sealed class CachingSettings : SettingsSection
{
    /// <summary><c>Redis</c>: the StackExchange.Redis configuration string.</summary>
    public CachingSettings Redis(string configuration)
    {
        Set("Redis", configuration);
        return this;
    }

    /// <summary><c>KeySecret</c>: the keyed-hash secret of cache keys.</summary>
    public CachingSettings KeySecret(string keySecret)
    {
        Set("KeySecret", keySecret);
        return this;
    }

    /// <summary><c>EncryptionKey</c>: the AES-256 key sealing values in Redis.</summary>
    public CachingSettings EncryptionKey(string encryptionKey)
    {
        Set("EncryptionKey", encryptionKey);
        return this;
    }

    /// <summary><c>MemoryCacheEnabled</c>.</summary>
    public CachingSettings MemoryCacheEnabled(bool enabled)
    {
        Set("MemoryCacheEnabled", enabled);
        return this;
    }

    /// <summary><c>RedisRetryAfter</c>: how long Redis is left alone after it failed.</summary>
    public CachingSettings RedisRetryAfter(TimeSpan after)
    {
        Set("RedisRetryAfter", after);
        return this;
    }

    /// <summary><c>FailSafeRetryAfter</c>.</summary>
    public CachingSettings FailSafeRetryAfter(TimeSpan after)
    {
        Set("FailSafeRetryAfter", after);
        return this;
    }

    /// <summary><c>Methods:{method}:Duration</c> (and <c>FailSafeMaxDuration</c> when given).</summary>
    public CachingSettings Method(string method, TimeSpan duration, TimeSpan? failSafeMaxDuration = null)
    {
        Set($"Methods:{method}:Duration", duration);
        if (failSafeMaxDuration is { } failSafe)
        {
            Set($"Methods:{method}:FailSafeMaxDuration", failSafe);
        }

        return this;
    }
}
