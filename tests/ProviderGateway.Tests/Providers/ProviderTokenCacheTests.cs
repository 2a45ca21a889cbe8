using System.Net;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Providers;
using ProviderGateway.Providers.OAuth2;

namespace ProviderGateway.Tests.Providers;

/// <summary>
/// The OAuth2 token cache of one provider, on fake time with a scripted token endpoint: one request for many callers,
/// refresh ahead of expiry without holding calls, a failed request held for a while, and a refused token dropped.
/// </summary>
public sealed class ProviderTokenCacheTests
{
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly TokenEndpoint _endpoint = new();

    [Fact]
    public async Task Concurrent_callers_share_one_request_and_later_callers_the_token()
    {
        // Arrange
        using var cache = CreateCache();
        _endpoint.Hold();

        // Act
        var waiting = Enumerable.Range(0, 10).Select(_ => cache.GetAsync(CancellationToken.None).AsTask()).ToArray();
        await _endpoint.Requested(1);
        _endpoint.Release();
        var tokens = await Task.WhenAll(waiting);
        var later = await cache.GetAsync(CancellationToken.None);

        // Assert
        Assert.Equal(1, _endpoint.Requests);
        Assert.All(tokens, t => Assert.Equal("token-1", t.Value));
        Assert.Equal("token-1", later.Value);
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_replaced_in_the_background_while_calls_keep_the_current_one()
    {
        // Arrange: a token of one hour.
        using var cache = CreateCache();
        await cache.GetAsync(CancellationToken.None);

        // Act: 59 minutes and a second later, within the minute before expiry.
        _time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(1));
        var during = await cache.GetAsync(CancellationToken.None);
        await cache.Requesting!;
        var after = await cache.GetAsync(CancellationToken.None);

        // Assert
        Assert.Equal("token-1", during.Value);
        Assert.Equal("token-2", after.Value);
        Assert.Equal(2, cache.TokensObtained);
    }

    [Fact]
    public async Task A_short_lived_token_is_replaced_at_half_its_life_and_an_expired_one_is_never_sent()
    {
        // Arrange: tokens of 60 s, less than twice the minute asked.
        _endpoint.Lifetime = TimeSpan.FromSeconds(60);
        using var cache = CreateCache();
        await cache.GetAsync(CancellationToken.None);

        // Act
        _time.Advance(TimeSpan.FromSeconds(29));
        await cache.GetAsync(CancellationToken.None);
        var requestsBeforeHalf = _endpoint.Requests;
        _time.Advance(TimeSpan.FromSeconds(2));
        await cache.GetAsync(CancellationToken.None);
        await cache.Requesting!;
        _endpoint.Hold();
        _time.Advance(TimeSpan.FromSeconds(60));
        var expired = cache.GetAsync(CancellationToken.None).AsTask();
        await _endpoint.Requested(3);
        var waitedForNew = expired.IsCompleted;
        _endpoint.Release();
        var fresh = await expired;

        // Assert
        Assert.Equal(1, requestsBeforeHalf);
        Assert.False(waitedForNew);
        Assert.Equal("token-3", fresh.Value);
    }

    [Fact]
    public async Task A_refused_request_is_UNAUTHENTICATED_with_its_OAuth2_error_and_held_for_five_seconds()
    {
        // Arrange
        _endpoint.Refuse = true;
        using var cache = CreateCache();

        // Act
        var first = await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(CancellationToken.None).AsTask());
        _time.Advance(ProviderTokenCache.FailureHold - TimeSpan.FromMilliseconds(1));
        var held = await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(CancellationToken.None).AsTask());
        var requestsWhileHeld = _endpoint.Requests;
        _endpoint.Refuse = false;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var token = await cache.GetAsync(CancellationToken.None);

        // Assert
        Assert.Equal(StatusCode.Unauthenticated, first.StatusCode);
        Assert.Contains("invalid_client", first.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenEndpoint.Secret, first.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(first.Status.Detail, held.Status.Detail);
        Assert.Equal(1, requestsWhileHeld);
        Assert.Equal("token-2", token.Value);
    }

    [Fact]
    public async Task A_refused_token_is_replaced_once_and_calls_that_carried_it_are_retried_with_the_new_one()
    {
        // Arrange: token 1 (generation 1) is refused by the provider on two concurrent calls.
        using var cache = CreateCache();
        await cache.GetAsync(CancellationToken.None);

        // Act
        var first = cache.Forget(1);
        var second = cache.Forget(1);
        var replacement = await cache.GetAsync(CancellationToken.None);
        var stale = cache.Forget(1);

        // Assert: both retried, the second with the token the first one's drop brings; a refusal of token 1 after token 2
        // came is retried with token 2.
        Assert.True(first);
        Assert.True(second);
        Assert.Equal("token-2", replacement.Value);
        Assert.True(stale);
        Assert.Equal(2, _endpoint.Requests);
    }

    [Fact]
    public async Task A_token_is_replaced_for_a_refusal_at_most_once_per_hold()
    {
        // Arrange: the provider refuses every token.
        using var cache = CreateCache();
        await cache.GetAsync(CancellationToken.None);
        cache.Forget(1);
        await cache.GetAsync(CancellationToken.None);

        // Act
        var withinHold = cache.Forget(2);
        _time.Advance(ProviderTokenCache.FailureHold);
        var afterHold = cache.Forget(2);

        // Assert
        Assert.False(withinHold);
        Assert.True(afterHold);
        Assert.Equal(2, _endpoint.Requests);
    }

    [Fact]
    public async Task A_call_that_carried_no_token_is_not_retried()
    {
        // Arrange
        _endpoint.Refuse = true;
        using var cache = CreateCache();
        await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(CancellationToken.None).AsTask());

        // Act
        var retry = cache.Forget(0);

        // Assert
        Assert.False(retry);
    }

    [Fact]
    public async Task An_unreachable_or_failing_token_endpoint_is_UNAVAILABLE_not_a_refusal()
    {
        // Arrange
        _endpoint.Fail = true;
        using var cache = CreateCache();

        // Act
        var failure = await Assert.ThrowsAsync<RpcException>(() => cache.GetAsync(CancellationToken.None).AsTask());

        // Assert
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("HTTP 503", failure.Status.Detail, StringComparison.Ordinal);
    }

    private ProviderTokenCache CreateCache()
    {
        var settings = new ClientCredentialsSettings(new Uri("https://auth.example.kz/connect/token"), "provider-gateway", TokenEndpointAuthentication.ClientSecretBasic, TokenEndpoint.Secret, null, null, "utilities.read");
        return new ProviderTokenCache("alatau-power", new ClientCredentialsTokenClient(new HttpMessageInvoker(_endpoint), settings, _time), RefreshBefore, _time, NullLogger.Instance);
    }

    /// <summary>A scripted token endpoint: numbered tokens, or <c>invalid_client</c>; requests can be held until released.</summary>
    private sealed class TokenEndpoint : HttpMessageHandler
    {
        public const string Secret = "client-secret-9f8e7d";

        private readonly object _gate = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _requestWaiters = [];
        private TaskCompletionSource? _hold;

        public int Requests { get; private set; }

        public bool Refuse { get; set; }

        public bool Fail { get; set; }

        public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

        public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _hold?.TrySetResult();

        // Bounded: a test that waits for a request that never comes fails instead of hanging the suite.
        public Task Requested(int count) => Waiter(_requestWaiters, count).WaitAsync(TimeSpan.FromSeconds(30));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int number;
            lock (_gate)
            {
                number = ++Requests;
                Signal(_requestWaiters, number);
            }

            Assert.Equal("Basic", request.Headers.Authorization?.Scheme);
            if (_hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }

            var response = Fail
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<html>maintenance</html>", Encoding.UTF8, "text/html") }
                : Refuse
                ? new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = Json("""{"error":"invalid_client","error_description":"Client authentication failed."}""") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = Json($$"""{"access_token":"token-{{number}}","token_type":"Bearer","expires_in":{{(int)Lifetime.TotalSeconds}}}""") };
            return response;
        }

        private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

        private static void Signal(List<(int Count, TaskCompletionSource Signal)> waiters, int reached)
        {
            foreach (var waiter in waiters.Where(w => w.Count <= reached).ToList())
            {
                waiter.Signal.TrySetResult();
                waiters.Remove(waiter);
            }
        }

        private Task Waiter(List<(int Count, TaskCompletionSource Signal)> waiters, int count)
        {
            lock (_gate)
            {
                // Read under the lock: a request counted between a read outside it and the waiter's registration was
                // never signalled, and the test hung (seen once under the full suite's load).
                if (Requests >= count)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters.Add((count, signal));
                return signal.Task;
            }
        }
    }
}
