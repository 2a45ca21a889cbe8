using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.Configuration;
using ProviderGateway.Security;
using StackExchange.Redis;

namespace ProviderGateway.Tests.Security;

/// <summary>
/// One instance's share of a client's shared limit, against a bucket kept on the test's clock as Redis keeps it (the
/// real script runs against redis-server in the functional tests' SharedRateLimitTests).
/// </summary>
public sealed class SharedClientRateLimiterTests
{
    private static readonly SharedRateLimitOptions Sharing = new() { BorrowWindow = TimeSpan.FromMilliseconds(100), Instances = 3 };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Calls_are_taken_from_borrowed_batches_one_Redis_request_for_a_batch()
    {
        var bucket = new ClockedBucket(_clock);
        var limiter = LimiterFor(bucket, callsPerSecond: 50, burst: 100);

        var refused = 0;
        for (var i = 0; i < 100; i++)
        {
            refused += await limiter.AdmitAsync() is null ? 0 : 1;
            await bucket.Settled();
        }

        Assert.Equal(5, limiter.Batch);
        Assert.Equal(0, refused);
        Assert.InRange(bucket.Requests, 20, 21);   // 100 calls in batches of 5 (the next asked for ahead)
    }

    [Fact]
    public async Task A_spent_bucket_refuses_here_until_a_batch_is_there_again_without_asking_Redis_meanwhile()
    {
        var bucket = new ClockedBucket(_clock);
        var limiter = LimiterFor(bucket, callsPerSecond: 50, burst: 10);
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(await limiter.AdmitAsync());
            await bucket.Settled();
        }

        var wait = await limiter.AdmitAsync();
        var requests = bucket.Requests;
        var refusedMeanwhile = 0;
        for (var i = 0; i < 50; i++)
        {
            refusedMeanwhile += await limiter.AdmitAsync() is null ? 0 : 1;
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);   // 5 calls at 50 a second
        Assert.Equal(50, refusedMeanwhile);
        Assert.Equal(requests, bucket.Requests);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(await limiter.AdmitAsync());
    }

    [Fact]
    public async Task Calls_finding_none_wait_for_one_request_together()
    {
        var bucket = new ClockedBucket(_clock) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var limiter = LimiterFor(bucket, callsPerSecond: 100, burst: 100);

        var waiting = Enumerable.Range(0, 8).Select(_ => limiter.AdmitAsync().AsTask()).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
        bucket.Gate.SetResult();
        var admitted = await Task.WhenAll(waiting);

        Assert.All(admitted, Assert.Null);
        Assert.Equal(10, limiter.Batch);
        Assert.InRange(bucket.Requests, 1, 2);   // the one they waited for, and perhaps the next batch asked for ahead
    }

    [Fact]
    public async Task A_burst_larger_than_a_batch_passes_while_the_shared_bucket_holds_it()
    {
        var bucket = new ClockedBucket(_clock) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var limiter = LimiterFor(bucket, callsPerSecond: 50, burst: 100);

        var burst = Enumerable.Range(0, 20).Select(_ => limiter.AdmitAsync().AsTask()).ToList();
        bucket.Gate.SetResult();
        var admitted = await Task.WhenAll(burst);

        Assert.Equal(5, limiter.Batch);
        Assert.All(admitted, Assert.Null);          // 20 of the bucket's 100, though a batch is 5
        Assert.InRange(bucket.Requests, 2, 4);      // the first batch, then one for the calls still waiting (and one ahead)
    }

    [Fact]
    public async Task Calls_refused_by_a_spent_bucket_wait_for_a_batch_however_many_asked()
    {
        var bucket = new ClockedBucket(_clock);
        var limiter = LimiterFor(bucket, callsPerSecond: 50, burst: 10);
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(await limiter.AdmitAsync());
            await bucket.Settled();
        }

        _clock.Advance(TimeSpan.FromMilliseconds(100));   // a batch (5) back in the bucket
        bucket.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rush = Enumerable.Range(0, 20).Select(_ => limiter.AdmitAsync().AsTask()).ToList();
        bucket.Gate.SetResult();
        var answers = await Task.WhenAll(rush);

        Assert.Equal(5, answers.Count(a => a is null));
        Assert.All(answers.Where(a => a is not null), wait => Assert.Equal(TimeSpan.FromMilliseconds(100), wait));   // 5 at 50 a second, not 15
    }

    [Fact]
    public async Task With_Redis_unreachable_a_local_bucket_of_the_limit_over_the_instances_decides_and_Redis_is_asked_again_later()
    {
        var bucket = new ClockedBucket(_clock) { Unreachable = true };
        var limiter = LimiterFor(bucket, callsPerSecond: 30, burst: 30);

        var passed = 0;
        for (var i = 0; i < 40; i++)
        {
            passed += await limiter.AdmitAsync() is null ? 1 : 0;
        }

        Assert.Equal(10, passed);                 // a burst of 30 over 3 instances
        Assert.Equal(1, bucket.Requests);         // one failed request, then not again for RedisRetryAfter

        bucket.Unreachable = false;
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(await limiter.AdmitAsync());
        Assert.Equal(2, bucket.Requests);
    }

    [Fact]
    public async Task Three_instances_sharing_a_bucket_admit_its_rate_not_three_times_it()
    {
        var bucket = new ClockedBucket(_clock);
        var instances = Enumerable.Range(0, 3).Select(_ => LimiterFor(bucket, callsPerSecond: 50, burst: 50)).ToList();

        // 300 calls a second, round robin, for 10 s: the burst of 50, then 50 a second.
        var passed = 0;
        for (var tick = 0; tick < 3_000; tick++)
        {
            passed += await instances[tick % 3].AdmitAsync() is null ? 1 : 0;
            await bucket.Settled();
            _clock.Advance(TimeSpan.FromMilliseconds(1000.0 / 300));
        }

        Assert.InRange(passed, 550 - 25, 550 + 5);   // less by what the instances still hold at the end
    }

    private SharedClientRateLimiter LimiterFor(ClockedBucket bucket, int callsPerSecond, int burst) => new(
        new GatewayClient(new ClientOptions { Id = "office", RateLimit = new RateLimitOptions { CallsPerSecond = callsPerSecond, Burst = burst } }, new RateLimitOptions()),
        bucket,
        Sharing,
        retryRedisAfter: TimeSpan.FromSeconds(5),
        _clock,
        metrics: null,
        NullLogger.Instance);

    /// <summary>A token bucket as the Redis script keeps it, on the test's clock; counts requests; can hold them or fail them.</summary>
    private sealed class ClockedBucket(TimeProvider clock) : ISharedRateLimitBuckets
    {
        private readonly Lock _gate = new();
        private readonly List<Task> _pending = [];
        private double _tokens = double.NaN;
        private long _at;

        public int Requests { get; private set; }

        public bool Unreachable { get; set; }

        public TaskCompletionSource? Gate { get; set; }

        public Task<RateLimitGrant> TakeAsync(string clientId, RateLimitOptions limit, int calls, int batch)
        {
            var task = TakeCoreAsync(limit, calls, batch);
            lock (_gate)
            {
                _pending.Add(task);
            }

            return task;
        }

        // Lets the requests started in the background (the next batch asked for ahead) finish before the next call.
        public async Task Settled()
        {
            Task[] pending;
            lock (_gate)
            {
                pending = [.. _pending];
                _pending.Clear();
            }

            await Task.WhenAll(pending);
            await Task.Yield();
        }

        private async Task<RateLimitGrant> TakeCoreAsync(RateLimitOptions limit, int calls, int batch)
        {
            Requests++;
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (Unreachable)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active.");
            }

            var now = clock.GetTimestamp();
            if (double.IsNaN(_tokens))
            {
                _tokens = limit.Burst;
                _at = now;
            }

            _tokens = Math.Min(limit.Burst, _tokens + ((double)(now - _at) / clock.TimestampFrequency * limit.CallsPerSecond));
            _at = now;
            var granted = (int)Math.Max(0, Math.Min(calls, Math.Floor(_tokens)));
            _tokens -= granted;
            var wait = granted == 0 ? TimeSpan.FromSeconds((Math.Min(batch, limit.Burst) - _tokens) / limit.CallsPerSecond) : TimeSpan.Zero;
            return new RateLimitGrant(granted, wait);
        }
    }
}
