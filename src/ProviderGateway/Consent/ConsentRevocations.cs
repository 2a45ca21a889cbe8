using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Consent.V1;

namespace ProviderGateway.Consent;

/// <summary>
/// Follows the consent authority's revocations (<c>WatchRevocations</c>) for as long as the gateway runs, resuming after
/// the last sequence seen whenever the stream breaks, so that none is missed. Holds the revoked consents until they would
/// have expired anyway (<see cref="IsRevoked"/>), and says since when it has followed the stream without a break
/// (<see cref="FollowingSince"/>): <see cref="ConsentVerifier"/> trusts a verification made after that moment until the
/// consent expires, and any other one for <see cref="ConsentOptions.RevocationBound"/> only.
/// </summary>
public sealed class ConsentRevocations(ConsentAuthority authority, IOptions<ConsentOptions> options, TimeProvider time, ILogger<ConsentRevocations> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly TimeSpan _bound = options.Value.RevocationBound;
    private long _sequence;
    private long _followingSinceTicks; // 0 while the stream is not followed
    private DateTimeOffset _nextPrune;
    private readonly TaskCompletionSource _followed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised for each revocation as it arrives (its consent id).</summary>
    public event Action<string>? Revoked;

    /// <summary>When the current, unbroken following of the stream began; <c>null</c> while it is not followed.</summary>
    public DateTimeOffset? FollowingSince => Interlocked.Read(ref _followingSinceTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Completes when the stream is followed for the first time (start-up, tests).</summary>
    public Task FirstFollowed => _followed.Task;

    /// <summary>The last revocation's sequence seen.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Whether the authority reported <paramref name="consentId"/> revoked.</summary>
    public bool IsRevoked(string consentId) => _revoked.ContainsKey(consentId);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var call = authority.Client.WatchRevocations(new WatchRevocationsRequest { AfterSequence = Sequence }, cancellationToken: stoppingToken);
                // Followed from the moment the authority accepted the stream: every revocation after that reaches us on it.
                await call.ResponseHeadersAsync.ConfigureAwait(false);
                Interlocked.Exchange(ref _followingSinceTicks, time.GetUtcNow().UtcTicks);
                _followed.TrySetResult();
                ConsentLog.Following(logger, authority.Address, Sequence);
                retry = FirstRetry;
                while (await call.ResponseStream.MoveNext(stoppingToken).ConfigureAwait(false))
                {
                    Record(call.ResponseStream.Current);
                }

                Interlocked.Exchange(ref _followingSinceTicks, 0);
                ConsentLog.Lost(logger, "ENDED", _bound.TotalSeconds, null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException ex) when (stoppingToken.IsCancellationRequested && ex.StatusCode == StatusCode.Cancelled)
            {
                return;
            }
            catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or InvalidOperationException)
            {
                Interlocked.Exchange(ref _followingSinceTicks, 0);
                ConsentLog.Lost(logger, ex is RpcException rpc ? rpc.StatusCode.ToString() : ex.GetType().Name, _bound.TotalSeconds, ex);
            }

            try
            {
                await Task.Delay(retry, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, retry.Ticks * 2));
        }
    }

    /// <summary>Records one revocation (also for tests of what follows from it).</summary>
    internal void Record(WatchRevocationsResponse notice)
    {
        var expires = notice.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue;
        _revoked[notice.ConsentId] = expires;
        Interlocked.Exchange(ref _sequence, Math.Max(Sequence, notice.Sequence));
        ConsentLog.Revoked(logger, notice.ConsentId, notice.Sequence);
        Revoked?.Invoke(notice.ConsentId);
        Prune();
    }

    // A consent that has expired is refused as expired: its revocation need not be remembered.
    private void Prune()
    {
        var now = time.GetUtcNow();
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + TimeSpan.FromMinutes(1);
        foreach (var (id, expires) in _revoked)
        {
            if (expires <= now)
            {
                _revoked.TryRemove(id, out _);
            }
        }
    }
}
