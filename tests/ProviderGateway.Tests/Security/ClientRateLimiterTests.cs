using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Configuration;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

public sealed class ClientRateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_full_bucket_lets_the_burst_through_then_refuses_saying_when_the_next_call_passes()
    {
        var limiter = new ClientRateLimiter(new RateLimitOptions { CallsPerSecond = 2, Burst = 3 }, _clock);

        Assert.True(limiter.TryTake(out _));
        Assert.True(limiter.TryTake(out _));
        Assert.True(limiter.TryTake(out _));
        Assert.False(limiter.TryTake(out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(500), retryAfter);

        // Refilled continuously: one call per 500 ms, and not before.
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.TryTake(out retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(1), retryAfter);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryTake(out _));
        Assert.False(limiter.TryTake(out _));
    }

    [Fact]
    public void A_quiet_spell_refills_the_bucket_up_to_its_burst_and_no_further()
    {
        var limiter = new ClientRateLimiter(new RateLimitOptions { CallsPerSecond = 10, Burst = 5 }, _clock);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryTake(out _));
        }

        _clock.Advance(TimeSpan.FromMinutes(10));

        var passed = Enumerable.Range(0, 20).Count(i => limiter.TryTake(out _));
        Assert.Equal(5, passed);
    }

    [Fact]
    public void Refused_calls_take_nothing_from_the_bucket()
    {
        var limiter = new ClientRateLimiter(new RateLimitOptions { CallsPerSecond = 1, Burst = 1 }, _clock);
        Assert.True(limiter.TryTake(out _));
        for (var i = 0; i < 100; i++)
        {
            Assert.False(limiter.TryTake(out _));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryTake(out _));
    }

    [Fact]
    public async Task Callers_racing_on_one_bucket_never_take_more_than_it_holds()
    {
        var limiter = new ClientRateLimiter(new RateLimitOptions { CallsPerSecond = 1, Burst = 10_000 }, _clock);
        var passed = 0;
        using var start = new Barrier(4);
        var racers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 5_000; i++)
            {
                if (limiter.TryTake(out _))
                {
                    Interlocked.Increment(ref passed);
                }
            }
        }));
        await Task.WhenAll(racers);

        Assert.Equal(10_000, passed);
    }

    [Fact]
    public async Task Each_client_has_its_own_bucket()
    {
        var limits = new ClientRateLimits(_clock);
        var busy = new GatewayClient(new ClientOptions { Id = "busy", RateLimit = new RateLimitOptions { CallsPerSecond = 1, Burst = 1 } }, new RateLimitOptions());
        var quiet = new GatewayClient(new ClientOptions { Id = "quiet", RateLimit = new RateLimitOptions { CallsPerSecond = 1, Burst = 1 } }, new RateLimitOptions());

        Assert.Null(await limits.AdmitAsync(busy));
        Assert.NotNull(await limits.AdmitAsync(busy));
        Assert.Null(await limits.AdmitAsync(quiet));
    }
}
