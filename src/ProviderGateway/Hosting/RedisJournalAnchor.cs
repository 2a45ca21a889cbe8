using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using StackExchange.Redis;

namespace ProviderGateway.Hosting;

/// <summary>
/// The journal's Redis anchor: each checkpoint line SET under <c>&lt;KeyPrefix&gt;journal:anchor:&lt;instance&gt;</c>
/// on the cache's Redis. Best effort: bounded by the cache's Redis timeout, and a failure never holds the journal
/// (the journal counts and logs it). <c>redis-cli --raw GET</c> of the key is an anchor file for the verifier.
/// </summary>
public sealed class RedisJournalAnchor(RedisConnection redis, IOptions<CachingOptions> caching) : IJournalAnchor
{
    private readonly string _prefix = caching.Value.KeyPrefix + "journal:anchor:";
    private readonly TimeSpan _timeout = caching.Value.RedisTimeout * 4;

    /// <inheritdoc />
    public string Name => "redis";

    /// <summary>The key of <paramref name="instance"/>'s anchor.</summary>
    public string KeyOf(string instance) => _prefix + instance;

    /// <inheritdoc />
    public Task PublishAsync(JournalCheckpoint checkpoint) =>
        // Off the writer's thread: the first use of the connection may wait for its connect timeout.
        Task.Run(() => redis.Multiplexer.GetDatabase().StringSetAsync(KeyOf(checkpoint.Instance), checkpoint.Line).WaitAsync(_timeout));
}
