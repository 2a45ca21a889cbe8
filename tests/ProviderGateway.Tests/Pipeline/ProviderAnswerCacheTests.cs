using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Caching;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Errors;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using Util = ProviderGateway.Contracts.Utilities.V1;

namespace ProviderGateway.Tests.Pipeline;

/// <summary>
/// The cache step of a provider read, in memory only: whether an answer is LIVE, CACHED or STALE, fail-safe after a
/// failure, the desk's bypass, and what is never cached. The provider is a function counting its calls.
/// </summary>
public sealed class ProviderAnswerCacheTests : IDisposable
{
    private const string Alatau = "alatau-power";
    private const string Iin = "791028302728";

    private static readonly ProviderOperation<Util.ListAccountsRequest, Util.ListAccountsResponse> ListAccounts = ProviderOperations.Utilities.ListAccounts;
    private static readonly Util.ListAccountsRequest Request = new() { Iin = Iin };

    private readonly PipelineHarness _gateway = new([PipelineHarness.Provider(Alatau)]);
    private int _fetches;

    private ProviderDescriptor Provider => _gateway.Descriptor(Alatau);

    private CachePolicy Policy => _gateway.Policies.For(Alatau, "ListAccounts")!;

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task The_first_read_is_LIVE_and_the_next_is_CACHED_without_asking_the_provider()
    {
        var answer = Accounts("AP-1");

        var live = await ReadAsync(Answers(answer));
        _gateway.Time.Advance(TimeSpan.FromMinutes(1));
        var cached = await ReadAsync(Answers(Accounts("AP-2")));

        Assert.Equal(Freshness.Live, live.Freshness);
        Assert.Equal(Freshness.Cached, cached.Freshness);
        Assert.Equal((int)StatusCode.OK, cached.Status.Code);
        Assert.Same(answer, cached.Response);
        Assert.Equal(live.FetchTime, cached.FetchTime);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task A_failure_after_the_answer_was_invalidated_serves_it_STALE_whatever_its_age_and_says_why()
    {
        var answer = Accounts("AP-1");
        await ReadAsync(Answers(answer));
        await _gateway.Answers.InvalidateCitizenAsync(Provider, Iin);

        // The answer is seconds old, well within its 10 minutes: STALE because the provider failed, not because of age.
        var stale = await ReadAsync(FailsWith(StatusCode.Unavailable));

        Assert.Equal(Freshness.Stale, stale.Freshness);
        Assert.Same(answer, stale.Response);
        Assert.Equal((int)StatusCode.OK, stale.Status.Code);
        var info = stale.Status.GetDetail<ErrorInfo>();
        Assert.Equal(ErrorReasons.ServedStale, info?.Reason);
        Assert.Equal(ErrorReasons.ProviderUnavailable, info?.Metadata["provider_failure"]);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Within_the_fail_safe_window_the_last_answer_stays_STALE_without_asking_the_provider_again()
    {
        await ReadAsync(Answers(Accounts("AP-1")));
        await _gateway.ExpireAsync(Alatau, "ListAccounts", Request);
        var failed = await ReadAsync(FailsWith(StatusCode.Internal));

        var again = await ReadAsync(Answers(Accounts("AP-2")));

        Assert.Equal(Freshness.Stale, failed.Freshness);
        Assert.Equal(Freshness.Stale, again.Freshness);
        Assert.Equal("AP-1", again.Response?.Accounts.Single().AccountNumber);
        Assert.Equal(ErrorReasons.ProviderInternalError, again.Status.GetDetail<ErrorInfo>()?.Metadata["provider_failure"]);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Without_a_last_good_answer_the_providers_failure_is_returned()
    {
        var failed = await ReadAsync(FailsWith(StatusCode.Unavailable));

        Assert.False(failed.HasResponse);
        Assert.Equal((int)StatusCode.Unavailable, failed.Status.Code);
        Assert.Equal(ErrorReasons.ProviderUnavailable, failed.Status.GetDetail<ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task A_cached_answer_older_than_its_duration_is_STALE_and_older_than_its_fail_safe_maximum_is_not_served()
    {
        await ReadAsync(Answers(Accounts("AP-1")));

        _gateway.Time.Advance(Policy.Duration + TimeSpan.FromSeconds(1));
        var old = await ReadAsync(Answers(Accounts("AP-2")));
        _gateway.Time.Advance(Policy.FailSafeMaxDuration);
        var tooOld = await ReadAsync(Answers(Accounts("AP-3")));

        Assert.Equal(Freshness.Stale, old.Freshness);
        Assert.Equal(ErrorReasons.ServedStale, old.Status.GetDetail<ErrorInfo>()?.Reason);
        Assert.False(tooOld.HasResponse);
        Assert.Equal((int)StatusCode.Unavailable, tooOld.Status.Code);
    }

    [Fact]
    public async Task A_desk_asking_for_a_fresh_answer_gets_the_providers_and_it_replaces_the_cached_one()
    {
        await ReadAsync(Answers(Accounts("AP-1")));
        var fresh = Accounts("AP-2");

        var bypassed = await ReadAsync(Answers(fresh), _gateway.Desk(bypassCache: true));
        var next = await ReadAsync(Answers(Accounts("AP-3")));

        Assert.Equal(Freshness.Live, bypassed.Freshness);
        Assert.Same(fresh, bypassed.Response);
        Assert.Equal(Freshness.Cached, next.Freshness);
        Assert.Same(fresh, next.Response);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task A_refusal_is_never_cached_nor_hidden_behind_the_last_good_answer()
    {
        await ReadAsync(Answers(Accounts("AP-1")));
        await _gateway.Answers.InvalidateCitizenAsync(Provider, Iin);

        var refused = await ReadAsync(FailsWith(StatusCode.PermissionDenied));
        var refusedAgain = await ReadAsync(FailsWith(StatusCode.PermissionDenied));

        Assert.False(refused.HasResponse);
        Assert.Equal((int)StatusCode.PermissionDenied, refused.Status.Code);
        Assert.Equal(ErrorReasons.ProviderPermissionDenied, refused.Status.GetDetail<ErrorInfo>()?.Reason);
        Assert.False(refusedAgain.HasResponse);
        Assert.Equal(3, _fetches);
    }

    [Fact]
    public async Task A_definitive_answer_such_as_NOT_FOUND_is_cached_like_data()
    {
        var first = await ReadAsync(FailsWith(StatusCode.NotFound));
        var second = await ReadAsync(Answers(Accounts("AP-1")));

        Assert.Equal((int)StatusCode.NotFound, first.Status.Code);
        Assert.Equal((int)StatusCode.NotFound, second.Status.Code);
        Assert.Equal(Freshness.Cached, second.Freshness);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task From_memory_a_current_answer_is_CACHED_exactly_as_the_full_read_gives_it()
    {
        var answer = Accounts("AP-1");
        var live = await ReadAsync(Answers(answer));
        _gateway.Time.Advance(TimeSpan.FromSeconds(1));

        var fromMemory = FromMemory();
        var full = await ReadAsync(Answers(Accounts("AP-2")));

        Assert.NotNull(fromMemory);
        Assert.Equal((full.Freshness, full.Status, full.FetchTime), (fromMemory.Freshness, fromMemory.Status, fromMemory.FetchTime));
        Assert.Equal(Freshness.Cached, fromMemory.Freshness);
        Assert.Same(answer, fromMemory.Response);
        Assert.Equal(live.FetchTime, fromMemory.FetchTime);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task From_memory_nothing_is_answered_when_the_full_read_has_more_to_do()
    {
        // Nothing cached yet.
        Assert.Null(FromMemory());

        // The desk asks for a fresh answer.
        await ReadAsync(Answers(Accounts("AP-1")));
        Assert.NotNull(FromMemory());
        Assert.Null(FromMemory(_gateway.Desk(bypassCache: true)));

        // A write invalidated the citizen's answers.
        await _gateway.Answers.InvalidateCitizenAsync(Provider, Iin);
        Assert.Null(FromMemory());

        // The provider failed: the last good answer is STALE, which only the full read says.
        var stale = await ReadAsync(FailsWith(StatusCode.Unavailable));
        Assert.Equal(Freshness.Stale, stale.Freshness);
        Assert.Null(FromMemory());
    }

    [Fact]
    public async Task From_memory_nothing_is_answered_once_the_answer_is_due_for_its_eager_refresh()
    {
        await ReadAsync(Answers(Accounts("AP-1")));
        _gateway.Time.Advance(Policy.FreshFor - TimeSpan.FromSeconds(1));
        Assert.NotNull(FromMemory());

        // From here a read refreshes it in the background (or, past its duration, asks the provider): the full read's work.
        _gateway.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(FromMemory());
    }

    [Fact]
    public async Task A_fresh_answer_unchanged_from_the_one_in_memory_updates_memory_only_until_half_its_duration_has_passed()
    {
        // Arrange: a gateway with a shared level that counts its writes.
        var shared = new CountingDistributedCache();
        using var gateway = new PipelineHarness([PipelineHarness.Provider(Alatau)], distributed: shared);
        var policy = gateway.Policies.For(Alatau, "ListAccounts")!;
        var desk = gateway.Desk(bypassCache: true);
        Task<ProviderOutcome<Util.ListAccountsResponse>> RefreshAsync(string number) =>
            gateway.Answers.GetAsync(gateway.Descriptor(Alatau), ListAccounts, Request, policy, desk, _ =>
                Task.FromResult(ProviderOutcome<Util.ListAccountsResponse>.Live(gateway.Descriptor(Alatau), Accounts(number), gateway.Time.GetUtcNow(), TimeSpan.FromMilliseconds(5))));
        ProviderOutcome<Util.ListAccountsResponse>? Held() => gateway.Answers.TryFromMemory(gateway.Descriptor(Alatau), ListAccounts, Request, policy, gateway.Desk(), out _);

        // Act and assert: the first answer is shared; the same again only updates memory's fetch time. (Redis writes run in
        // the background: each expected one is awaited by its content; an unexpected one, queued before it, lands first.)
        await RefreshAsync("AP-1");
        await shared.UntilWrittenAsync("AP-1", 1);
        gateway.Time.Advance(policy.ReshareAfter - TimeSpan.FromSeconds(1));
        await RefreshAsync("AP-1");
        Assert.Equal(gateway.Time.GetUtcNow(), Held()!.FetchTime);

        // A changed answer is shared at once.
        await RefreshAsync("AP-2");
        await shared.UntilWrittenAsync("AP-2", 2);
        Assert.Equal(2, shared.Writes);

        // The same answer half a duration after it was last shared is shared again, so Redis never holds one older than that.
        gateway.Time.Advance(policy.ReshareAfter - TimeSpan.FromSeconds(1));
        await RefreshAsync("AP-2");
        gateway.Time.Advance(TimeSpan.FromSeconds(1));
        await RefreshAsync("AP-2");
        await shared.UntilWrittenAsync("AP-2", 3);
        Assert.Equal(3, shared.Writes);
        Assert.Equal("AP-2", Held()!.Response!.Accounts.Single().AccountNumber);
    }

    private ProviderOutcome<Util.ListAccountsResponse>? FromMemory(DeskContext? desk = null) =>
        _gateway.Answers.TryFromMemory(Provider, ListAccounts, Request, Policy, desk ?? _gateway.Desk(), out _);

    private Task<ProviderOutcome<Util.ListAccountsResponse>> ReadAsync(Func<ProviderOutcome<Util.ListAccountsResponse>> provider, DeskContext? desk = null) =>
        _gateway.Answers.GetAsync(Provider, ListAccounts, Request, Policy, desk ?? _gateway.Desk(), _ =>
        {
            _fetches++;
            return Task.FromResult(provider());
        });

    private Func<ProviderOutcome<Util.ListAccountsResponse>> Answers(Util.ListAccountsResponse response) =>
        () => ProviderOutcome<Util.ListAccountsResponse>.Live(Provider, response, _gateway.Time.GetUtcNow(), TimeSpan.FromMilliseconds(5));

    private Func<ProviderOutcome<Util.ListAccountsResponse>> FailsWith(StatusCode code) =>
        () => ProviderOutcome<Util.ListAccountsResponse>.Failed(Provider, ProviderStatusMapping.ToDeskStatus(Alatau, new RpcException(new Grpc.Core.Status(code, "")), cancelledByCaller: false), TimeSpan.FromMilliseconds(5));

    private static Util.ListAccountsResponse Accounts(string number) => new() { Accounts = { new Util.Account { AccountNumber = number } } };
}

/// <summary>An in-memory shared level that counts the values written to it.</summary>
internal sealed class CountingDistributedCache : Microsoft.Extensions.Caching.Distributed.IDistributedCache
{
    private readonly Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache _inner =
        new(Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));

    private int _writes;
    private byte[] _last = [];

    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Waits (at most 10 s) until <paramref name="count"/> values were written, the last one holding <paramref name="text"/>.</summary>
    public async Task UntilWrittenAsync(string text, int count)
    {
        var expected = System.Text.Encoding.ASCII.GetBytes(text);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!(Writes >= count && Volatile.Read(ref _last).AsSpan().IndexOf(expected) >= 0))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"Write {count} holding {text} never came ({Writes} writes).");
            await Task.Yield();
        }
    }

    public byte[]? Get(string key) => _inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _inner.GetAsync(key, token);

    public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options)
    {
        Volatile.Write(ref _last, value);
        Interlocked.Increment(ref _writes);
        _inner.Set(key, value, options);
    }

    public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Volatile.Write(ref _last, value);
        Interlocked.Increment(ref _writes);
        return _inner.SetAsync(key, value, options, token);
    }

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
}
