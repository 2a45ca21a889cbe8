using Microsoft.Extensions.Caching.Distributed;

namespace ProviderGateway.Caching;

/// <summary>
/// The distributed cache (Redis) as FusionCache sees it: every value is sealed on the way in and opened on the way out
/// by <see cref="CacheValueProtector"/>, bound to the full key FusionCache passes. A value that does not open under its
/// key (copied from another key, edited, sealed with another key, or of an older format) is a miss, counted in
/// <c>providergateway.cache.values_rejected</c>: never an answer, so the read goes to the provider and its answer
/// replaces the value.
/// </summary>
public sealed class SealedDistributedCache(IDistributedCache inner, CacheValueProtector protector, CacheMetrics metrics) : IDistributedCache
{
    /// <inheritdoc />
    public byte[]? Get(string key) => Open(key, inner.Get(key));

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        Open(key, await inner.GetAsync(key, token).ConfigureAwait(false));

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        inner.Set(key, protector.Protect(value, key), options);

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        inner.SetAsync(key, protector.Protect(value, key), options, token);

    /// <inheritdoc />
    public void Refresh(string key) => inner.Refresh(key);

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    /// <inheritdoc />
    public void Remove(string key) => inner.Remove(key);

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

    private byte[]? Open(string key, byte[]? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var opened = protector.Unprotect(stored, key);
        if (opened is null)
        {
            metrics.ValueRejected();
        }

        return opened;
    }
}
