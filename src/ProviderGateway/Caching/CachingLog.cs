namespace ProviderGateway.Caching;

/// <summary>Log messages of the cache. Keys and tags are keyed hashes; no identifier is ever logged.</summary>
internal static partial class CachingLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Cache: memory only (no Gateway:Caching:Redis); invalidation stays within this instance")]
    public static partial void MemoryOnly(ILogger logger);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Cache: memory and Redis {Endpoints}, values {Protection}")]
    public static partial void WithRedis(ILogger logger, string endpoints, string protection);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Redis connection lost ({FailureType}): serving from memory and providers until it returns")]
    public static partial void RedisLost(ILogger logger, string failureType);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Redis connection restored")]
    public static partial void RedisRestored(ILogger logger);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Invalidation confirmed by {Confirmed} of {Expected} other instances within {TimeoutMs} ms; the others drop the stale answers when their backplane message arrives")]
    public static partial void InvalidationUnconfirmed(ILogger logger, int confirmed, int expected, double timeoutMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Could not tell other instances to invalidate ({Reason}); their copies expire with their policy")]
    public static partial void InvalidationNotBroadcast(ILogger logger, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Could not subscribe to invalidations ({Reason}); will retry when Redis is back")]
    public static partial void SubscribeFailed(ILogger logger, string reason);
}
