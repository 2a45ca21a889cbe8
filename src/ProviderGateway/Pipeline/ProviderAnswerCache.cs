using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Providers;
using ZiggyCreatures.Caching.Fusion;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Pipeline;

/// <summary>
/// The cache step of a provider read: answers from memory (L1) or Redis (L2) while they are current,
/// makes one provider call per key at a time on a miss, serves the last good answer as STALE when the
/// provider fails (up to the policy's maximum age), and says honestly which of the three happened.
/// </summary>
public sealed class ProviderAnswerCache(
    IFusionCache cache,
    CacheKeys keys,
    CacheInvalidation invalidation,
    IOptions<CachingOptions> options,
    TimeProvider time)
{
    // Most keys remembered as failing at once; beyond it expired marks are swept (they are few: one per failing key).
    private const int MaxFailureMarks = 10_000;

    private readonly bool _memoryEnabled = options.Value.MemoryCacheEnabled;
    private readonly TimeSpan _failSafeRetryAfter = options.Value.FailSafeRetryAfter;

    // Keys whose provider failed recently, with how it failed: while FusionCache's fail-safe serves the last good answer
    // without asking the provider again (FailSafeRetryAfter), that answer is STALE whatever its age, and says why.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FailureMark> _failing = new(StringComparer.Ordinal);

    /// <summary>The cache key of a read (the client's own for a provider whose answers depend on who asks).</summary>
    public string KeyOf<TRequest, TResponse>(ProviderDescriptor provider, ProviderOperation<TRequest, TResponse> operation, TRequest request, DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        keys.ForRead(provider.Id, operation.MethodName, request, provider.CachePerClient ? desk.Caller?.ClientId ?? "" : null);

    /// <summary>
    /// The answer of a read straight from memory, when that is all there is to do: the memory level holds it, it is
    /// current and short of its eager refresh, its provider has not failed recently, and the desk did not ask for a fresh
    /// answer. No lock, no deadline, nothing awaited. <c>null</c> otherwise: <see cref="GetAsync"/> decides (with
    /// <paramref name="key"/>, made once). This is most calls of a busy desk; it answers exactly as GetAsync would.
    /// </summary>
    public ProviderOutcome<TResponse>? TryFromMemory<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        CachePolicy policy,
        DeskContext desk,
        out string key)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        key = KeyOf(provider, operation, request, desk);
        if (!_memoryEnabled || desk.BypassCache || RecentFailure(key) is not null)
        {
            return null;
        }

        var hit = cache.TryGet<CachedAnswer>(key, policy.MemoryReadOptions, CancellationToken.None);
        if (!hit.HasValue || hit.Value is not { Refusal: null } cached || time.GetUtcNow() - cached.FetchTime >= policy.FreshFor)
        {
            return null;
        }

        return FromCache<TResponse>(provider, cached, Freshness.Cached, null, started);
    }

    /// <summary>Reads through the cache under <paramref name="policy"/>; <paramref name="fetch"/> calls the provider.</summary>
    public async Task<ProviderOutcome<TResponse>> GetAsync<TRequest, TResponse>(
        ProviderDescriptor provider,
        ProviderOperation<TRequest, TResponse> operation,
        TRequest request,
        CachePolicy policy,
        DeskContext desk,
        Func<CancellationToken, Task<ProviderOutcome<TResponse>>> fetch,
        string? key = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var started = time.GetTimestamp();
        key ??= KeyOf(provider, operation, request, desk);

        // DESK BYPASS: the provider, always; a good answer replaces the cached one. When it is the answer memory already
        // holds, unchanged, and Redis got that answer less than half a duration ago, only memory takes the new fetch time:
        // rewriting the same bytes to Redis and telling every other instance to drop an identical copy is most of a
        // refreshed overview's cost (a Redis write and a backplane message per provider).
        if (desk.BypassCache)
        {
            var fresh = await fetch(desk.Cancellation).ConfigureAwait(false);
            if (ToAnswer(fresh) is { } answer)
            {
                var unchanged = Unchanged(key, answer, policy);
                await cache.SetAsync(
                    key,
                    unchanged is { } known ? known.ConfirmedAt(answer) : answer,
                    unchanged is null ? policy.EntryOptions : policy.MemoryWriteOptions,
                    TagsOf(provider, operation, request),
                    CancellationToken.None).ConfigureAwait(false);
            }

            return fresh;
        }

        // REDIS ONLY (memory level off): look without taking the key's lock, so that hits never queue.
        if (!_memoryEnabled)
        {
            var hit = await cache.TryGetAsync<CachedAnswer>(key, policy.EntryOptions, desk.Cancellation).ConfigureAwait(false);
            if (hit.HasValue && time.GetUtcNow() - hit.Value.FetchTime <= policy.Duration)
            {
                return FromCache<TResponse>(provider, hit.Value, RecentFailure(key) is null ? Freshness.Cached : Freshness.Stale, RecentFailure(key), started);
            }
        }

        // MEMORY, REDIS OR PROVIDER: one provider call per key at a time (stampede protection); when the
        // provider fails, FusionCache's fail-safe hands back the last good answer instead.
        var attempt = new FetchAttempt<TResponse>();
        CachedAnswer cached;
        try
        {
            cached = await cache.GetOrSetAsync<CachedAnswer>(
                key,
                async (context, factoryCancellation) =>
                {
                    // Tags are only needed when storing: computed here, not on every hit.
                    context.Tags = TagsOf(provider, operation, request);
                    var outcome = await fetch(factoryCancellation).ConfigureAwait(false);
                    attempt.Outcome = outcome;
                    if (ProviderStatusMapping.IsRefusal(outcome.Status))
                    {
                        // REFUSAL: not a failure, so no fail-safe; handed back to this call only. Nothing is written
                        // anywhere, so the last good answer is neither replaced nor served.
                        context.Options.SkipMemoryCacheWrite = true;
                        context.Options.SkipDistributedCacheWrite = true;
                        context.Options.SkipBackplaneNotifications = true;
                        attempt.Answer = CachedAnswer.OfRefusal(outcome.Status, time.GetUtcNow());
                        return attempt.Answer;
                    }

                    if (ToAnswer(outcome) is not { } answer)
                    {
                        MarkFailing(key, outcome.Status);
                        throw new ProviderFailedException(provider.Id);
                    }

                    _failing.TryRemove(key, out _);
                    attempt.Answer = answer;
                    return attempt.Answer;
                },
                MaybeValue<CachedAnswer>.None,
                policy.EntryOptions,
                tags: null,
                desk.Cancellation).ConfigureAwait(false);
        }
        catch (ProviderFailedException) when (attempt.Outcome is { } failed)
        {
            // FAIL-SAFE had nothing to offer: the provider's error.
            return failed;
        }

        // LIVE: this call's own provider answer.
        if (ReferenceEquals(cached, attempt.Answer))
        {
            return attempt.Outcome!;
        }

        // REFUSED: another caller's refusal, shared while waiting on the same key; never CACHED or STALE.
        if (cached.Refusal is { } refusal)
        {
            return ProviderOutcome<TResponse>.Failed(provider, refusal, time.GetElapsedTime(started));
        }

        // CACHED, or STALE after the provider failed; never older than the policy allows. Freshness says what happened,
        // not only how old the data is: an answer served because the provider failed (this call's own attempt, or one
        // within FailSafeRetryAfter) is STALE whatever its age, such as the pre-write answer after a write invalidated it.
        var age = time.GetUtcNow() - cached.FetchTime;
        var failure = attempt.Outcome is { HasResponse: false } own ? own.Status : RecentFailure(key);
        if (age > policy.FailSafeMaxDuration)
        {
            return attempt.Outcome is { HasResponse: false } failed
                ? failed
                : ProviderOutcome<TResponse>.Failed(provider, TooOld(provider.Id), time.GetElapsedTime(started));
        }

        var freshness = failure is not null || age > policy.Duration ? Freshness.Stale : Freshness.Cached;
        return FromCache<TResponse>(provider, cached, freshness, failure, started);
    }

    // The answer memory holds under the key when it is the same as a fresh fetch's and reached Redis recently enough.
    private CachedAnswer? Unchanged(string key, CachedAnswer fresh, CachePolicy policy)
    {
        if (!_memoryEnabled)
        {
            return null;
        }

        var held = cache.TryGet<CachedAnswer>(key, policy.MemoryReadOptions, CancellationToken.None);
        return held.HasValue && held.Value.IsSameAnswerAs(fresh) && fresh.FetchTime - held.Value.SharedAt < policy.ReshareAfter
            ? held.Value
            : null;
    }

    private void MarkFailing(string key, Status failure)
    {
        var now = time.GetUtcNow();
        if (_failing.Count >= MaxFailureMarks)
        {
            foreach (var (failingKey, mark) in _failing)
            {
                if (mark.Until <= now)
                {
                    _failing.TryRemove(failingKey, out _);
                }
            }
        }

        _failing[key] = new FailureMark(failure, now + _failSafeRetryAfter);
    }

    private Status? RecentFailure(string key)
    {
        if (_failing.IsEmpty || !_failing.TryGetValue(key, out var mark))
        {
            return null;
        }

        if (mark.Until > time.GetUtcNow())
        {
            return mark.Failure;
        }

        _failing.TryRemove(key, out _);
        return null;
    }

    // The citizen's tag: what a write of that citizen at that provider invalidates.
    private string[]? TagsOf<TRequest, TResponse>(ProviderDescriptor provider, ProviderOperation<TRequest, TResponse> operation, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        operation.CitizenOf(request) is { } iin ? [keys.CitizenTag(provider.Id, iin)] : null;

    /// <summary>Removes every cached answer about the citizen of a write, on every instance (see <see cref="CacheInvalidation"/>).</summary>
    public Task InvalidateCitizenAsync(ProviderDescriptor provider, string iin) =>
        invalidation.InvalidateAsync(keys.CitizenTag(provider.Id, iin));

    // A STALE answer always carries its ErrorInfo (SERVED_STALE_AFTER_PROVIDER_FAILURE): how the provider failed when
    // known, else that the answer outlived its policy's duration (seen in Redis by an instance that did not ask).
    private ProviderOutcome<TResponse> FromCache<TResponse>(
        ProviderDescriptor provider,
        CachedAnswer cached,
        Freshness freshness,
        Status? failure,
        long started)
        where TResponse : class =>
        new()
        {
            Provider = provider,
            Response = (TResponse?)cached.Response,
            Status = cached.DefinitiveError ?? (freshness == Freshness.Stale ? ServedStale(provider.Id, failure ?? Expired) : Ok),
            Freshness = freshness,
            FetchTime = cached.FetchTime,
            Latency = time.GetElapsedTime(started),
        };

    // What may be cached: data, or a definitive answer such as NOT_FOUND; never a failure.
    private CachedAnswer? ToAnswer<TResponse>(ProviderOutcome<TResponse> outcome)
        where TResponse : class, IMessage<TResponse> =>
        outcome switch
        {
            { Response: { } response, FetchTime: { } fetched } => CachedAnswer.Of(response, fetched),
            { Response: null } when ProviderStatusMapping.IsDefinitiveAnswer(outcome.Status.Code) =>
                CachedAnswer.OfError(outcome.Status, time.GetUtcNow()),
            _ => null,
        };

    private static readonly Status Ok = new() { Code = (int)StatusCode.OK };

    // The failure of a STALE answer whose provider call this instance did not see fail.
    private static readonly Status Expired = new() { Code = (int)StatusCode.Unavailable, Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ProviderUnavailable)) } };

    private sealed record FailureMark(Status Failure, DateTimeOffset Until);

    private static Status ServedStale(string providerId, Status providerFailure)
    {
        var failure = providerFailure.GetDetail<Google.Rpc.ErrorInfo>();
        return new Status
        {
            Code = (int)StatusCode.OK,
            Message = $"Provider '{providerId}' failed; this is its last good answer (see fetch_time).",
            Details =
            {
                Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ServedStale, new()
                {
                    ["provider_id"] = providerId,
                    ["provider_failure"] = failure?.Reason ?? ((StatusCode)providerFailure.Code).ToString(),
                })),
            },
        };
    }

    private static Status TooOld(string providerId) => new()
    {
        Code = (int)StatusCode.Unavailable,
        Message = $"Provider '{providerId}' is failing and its last good answer is older than its cache policy allows.",
        Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ProviderUnavailable, new() { ["provider_id"] = providerId })) },
    };

    /// <summary>What this call's own provider call produced, if it made one.</summary>
    private sealed class FetchAttempt<TResponse>
        where TResponse : class
    {
        public ProviderOutcome<TResponse>? Outcome { get; set; }

        public CachedAnswer? Answer { get; set; }
    }

    /// <summary>Tells FusionCache the provider failed, so that fail-safe may serve the last good answer.</summary>
    private sealed class ProviderFailedException(string providerId) : Exception($"Provider {providerId} failed.");
}
