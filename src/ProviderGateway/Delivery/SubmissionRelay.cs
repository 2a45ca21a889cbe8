using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;
using ProviderGateway.Pipeline;
using ProviderGateway.Providers;
using ProviderGateway.Resilience;
using ProviderGateway.Security;
using ProviderGateway.Submissions;

namespace ProviderGateway.Delivery;

/// <summary>
/// Delivers stored submissions, on every gateway instance. Each round it goes through the configured providers, skips
/// those whose circuit is open or that had nothing due at their last claim (until their next one is due or they are
/// woken), and leases (<see cref="SubmissionStore.ClaimAsync"/>: per citizen and
/// provider only the oldest open one, none leased to another instance) as many as the provider has room for
/// (<see cref="SubmissionOptions.MaxConcurrentDeliveries"/>, within its concurrency limit, so desks keep the rest). Each is
/// sent through the pipeline like a desk's write, as the client, operator and purpose that made it, with its request_id:
/// the provider's idempotency key, so an attempt after a lost answer is replayed, not applied twice. The outcome is recorded
/// by the lease's holder only: DELIVERED (the citizen's cached answers invalidated by the pipeline), NOT_DELIVERED on a
/// definitive refusal (its status and details kept), or another attempt later with exponential backoff and jitter. Every
/// attempt is a line of the access journal. Rounds run when a submission is accepted or a delivery ends, and at least every
/// <see cref="SubmissionOptions.PollInterval"/>; every few seconds the relay also counts the open submissions
/// (<see cref="SubmissionBacklog"/>), ends those past <see cref="SubmissionOptions.MaxAge"/> and purges expired payloads.
/// A store that fails is retried each round, without a restart.
/// </summary>
public sealed class SubmissionRelay(
    SubmissionStore store,
    ProviderRegistry registry,
    ProviderResilience resilience,
    ProviderCallPipeline pipeline,
    SubmissionRelaySignal signal,
    SubmissionBacklog backlog,
    SubmissionMetrics metrics,
    AccessJournal journal,
    SubjectHasher subjects,
    GatewayClients clients,
    IOptions<SubmissionOptions> options,
    TimeProvider time,
    ILogger<SubmissionRelay> logger) : BackgroundService
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DueAgainPause = TimeSpan.FromMilliseconds(20);

    // What a lease must have beyond two of the provider's calls for submissions to be leased ahead of room.
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);

    private readonly SubmissionOptions _options = options.Value;
    private readonly SubmissionRelaySignal _signal = signal;
    private readonly ConcurrentDictionary<string, DeliveryLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _deliveries = new();
    private readonly HashSet<string> _unknownProviders = new(StringComparer.Ordinal);

    // Per provider, nothing to lease before this time (its last claim took all that was due): rounds skip it until then, or
    // until it is woken (an acceptance, a delivery that ended). Used by the relay's loop only.
    private readonly Dictionary<string, DateTimeOffset> _quietUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Func<Task>> _unrecorded = new();

    // Answers waiting to be recorded: written together, one transaction (one commit to disk) for all that ended meanwhile.
    private readonly System.Threading.Channels.Channel<(ClaimedSubmission Claimed, byte[] Answer, DateTimeOffset PurgeAfter, TaskCompletionSource<bool> Recorded)> _answers =
        System.Threading.Channels.Channel.CreateUnbounded<(ClaimedSubmission, byte[], DateTimeOffset, TaskCompletionSource<bool>)>(new() { SingleReader = true });
    private Task? _answerWriter;
    private DateTimeOffset _nextHousekeeping;
    private bool _storeFailing;
    private bool _migrated;

    /// <summary>This instance's name on its leases.</summary>
    public string Owner { get; } = $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// Creates or migrates the store's schema before the gateway serves, so the first submission finds it; a store that is
    /// unreachable now is migrated by the relay once it is back (writes to unavailable providers are refused until then).
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        catch (Exception e) when (IsStoreFailure(e) && e is not InvalidOperationException)
        {
            _storeFailing = true;
            DeliveryLog.StoreUnreachable(logger, e.GetType().Name, e);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DeliveryLog.Started(logger, Owner, store.GetType().Name);
        _answerWriter = WriteAnswersAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _options.PollInterval;
            try
            {
                if (!_migrated)
                {
                    await store.MigrateAsync(stoppingToken).ConfigureAwait(false);
                    _migrated = true;
                }

                await RecordUnrecordedAsync().ConfigureAwait(false);
                await HousekeepingAsync(stoppingToken).ConfigureAwait(false);
                var nextRound = await RoundAsync(stoppingToken).ConfigureAwait(false);
                if (nextRound - time.GetUtcNow() is var until && until < wait)
                {
                    wait = until > TimeSpan.Zero ? until : TimeSpan.FromMilliseconds(1);
                }

                if (_storeFailing)
                {
                    _storeFailing = false;
                    DeliveryLog.StoreBack(logger);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                if (!_storeFailing)
                {
                    _storeFailing = true;
                    DeliveryLog.StoreUnreachable(logger, e.GetType().Name, e);
                }
            }

            await _signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Deliveries under way end with the host's stop (their calls cancelled); each records a retry. Those leased and not
        // started are given back, due again at once on whichever instance.
        await Task.WhenAll(_deliveries.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var lane in _lanes.Values)
        {
            foreach (var leased in lane.TakeLeased())
            {
                try
                {
                    await store.RetryLaterAsync(leased, null, reachedProvider: false, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (IsStoreFailure(e))
                {
                    // The store is down: the lease ends on its own (SQLite: released at the next start).
                    DeliveryLog.OutcomeNotRecorded(logger, leased.Receipt.Id, e.GetType().Name);
                }
            }
        }

        _answers.Writer.TryComplete();
        await _answerWriter.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await RecordUnrecordedAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e) || e is OperationCanceledException)
        {
            // The store is still down: those leases end on their own (SQLite: released at the next start).
        }
    }

    // One round: lease what each provider has due and room for, and start delivering it. Returns when the next round is
    // needed at the latest: when a quiet provider's next submission is due or an open circuit ends (and at least every poll
    // interval); a delivery that ends or an acceptance wakes the relay sooner. No query reads a provider's whole queue: a
    // claim takes the first due heads, and the next due time is read only when a claim found less than it had room for.
    private async Task<DateTimeOffset> RoundAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var nextRound = now + _options.PollInterval;
        foreach (var woken in _signal.TakeWoken())
        {
            _quietUntil.Remove(woken);
        }

        foreach (var provider in registry.All)
        {
            var providerId = provider.Id;
            var lane = LaneOf(providerId);

            // Its circuit is open: nothing would be sent; the submissions wait for the break to end, those leased here given
            // back (nothing was sent: ACCEPTED ones can be cancelled meanwhile, another instance may take them after it).
            if (resilience.OpenFor(provider) is var open && open > TimeSpan.Zero)
            {
                foreach (var leased in lane.TakeLeased())
                {
                    await store.RetryLaterAsync(leased, null, reachedProvider: false, now + open, CancellationToken.None).ConfigureAwait(false);
                }

                nextRound = now + open < nextRound ? now + open : nextRound;
                continue;
            }

            StartLeased(provider, lane, stoppingToken);
            if (_quietUntil.TryGetValue(providerId, out var quietUntil) && quietUntil > now)
            {
                nextRound = quietUntil < nextRound ? quietUntil : nextRound;
                continue;
            }

            // Leased one room ahead when the lease outlasts two calls: the deliveries that end start the next leased ones at
            // once, without waiting for a claim; a claim (a write transaction, a commit to disk) tops the lease up by at least
            // half a room at a time.
            var want = HeldAtMost(provider) - lane.Held;
            if (want < ClaimBatch(provider))
            {
                continue;
            }

            var claimedAt = time.GetUtcNow();
            var claimed = await store.ClaimAsync(Owner, providerId, want, _options.Lease, stoppingToken).ConfigureAwait(false);
            lane.Lease(claimed, claimedAt + _options.Lease);
            StartLeased(provider, lane, stoppingToken);

            // All that was due is leased: the provider is quiet until its next submission is due. Due already (one made
            // due meanwhile, or held by another instance's claim under way): a short pause, not a busy loop.
            if (claimed.Count < want)
            {
                var due = await store.NextDueAsync(providerId, stoppingToken).ConfigureAwait(false);
                var after = time.GetUtcNow();
                quietUntil = due is null ? after + _options.PollInterval : due > after ? due.Value : after + DueAgainPause;
                _quietUntil[providerId] = quietUntil;
                nextRound = quietUntil < nextRound ? quietUntil : nextRound;
            }
        }

        return nextRound;
    }

    private DeliveryLane LaneOf(string providerId) => _lanes.GetOrAdd(providerId, static _ => new DeliveryLane());

    // Starts leased submissions while the provider has room (none while its circuit is open: the round gives them back).
    // One whose lease would end before its attempt could is given back instead.
    private void StartLeased(ProviderDescriptor provider, DeliveryLane lane, CancellationToken stoppingToken)
    {
        if (stoppingToken.IsCancellationRequested || resilience.OpenFor(provider) > TimeSpan.Zero)
        {
            return;
        }

        var limit = LimitOf(provider);
        while (lane.TryStart(limit, out var leased))
        {
            var delivery = leased.LeasedUntil - time.GetUtcNow() > provider.Deadline
                ? DeliverAsync(provider, leased.Submission, lane, stoppingToken)
                : GiveBackAsync(provider, leased.Submission, lane, stoppingToken);
            _deliveries.TryAdd(delivery, 0);
            _ = delivery.ContinueWith(static (done, state) => ((SubmissionRelay)state!)._deliveries.TryRemove(done, out _), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // A delivery's call ended (its outcome may still be being recorded): its room goes to the next leased submission, and
    // the relay is woken to lease more when the lane runs low.
    private void CallEnded(ProviderDescriptor provider, DeliveryLane lane, CancellationToken stoppingToken)
    {
        lane.Ended();
        StartLeased(provider, lane, stoppingToken);
        if (HeldAtMost(provider) - lane.Held >= ClaimBatch(provider))
        {
            _signal.Wake(provider.Id);
        }
    }

    // A leased submission not attempted: due again at once, here or on another instance; nothing was sent.
    private async Task GiveBackAsync(ProviderDescriptor provider, ClaimedSubmission submission, DeliveryLane lane, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await store.RetryLaterAsync(submission, null, reachedProvider: false, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            DeliveryLog.OutcomeNotRecorded(logger, submission.Receipt.Id, e.GetType().Name);
        }
        finally
        {
            CallEnded(provider, lane, stoppingToken);
        }
    }

    // How many submissions of the provider this relay holds leased at most: its room, and as many again waiting when a
    // lease outlasts two calls and a margin (a waiting one must still have a call's time left when it starts).
    private int HeldAtMost(ProviderDescriptor provider) =>
        _options.Lease >= (2 * provider.Deadline) + LeaseMargin ? 2 * LimitOf(provider) : LimitOf(provider);

    // The fewest a claim takes: half the room when leasing ahead (the waiting half covers the claim's time), a quarter when
    // not (the room a claim leaves unused meanwhile).
    private int ClaimBatch(ProviderDescriptor provider) =>
        Math.Max(1, HeldAtMost(provider) > LimitOf(provider) ? LimitOf(provider) / 2 : LimitOf(provider) / 4);

    private int LimitOf(ProviderDescriptor provider) =>
        _options.MaxConcurrentDeliveries > 0
            ? Math.Min(_options.MaxConcurrentDeliveries, provider.MaxConcurrentCalls)
            : Math.Max(1, provider.MaxConcurrentCalls / 2);

    // One attempt of one submission, its outcome recorded (or, when that fails, left to the lease's end).
    private async Task DeliverAsync(ProviderDescriptor provider, ClaimedSubmission submission, DeliveryLane lane, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var receipt = submission.Receipt;
        var now = time.GetUtcNow();
        var callEnded = false;
        try
        {
            if (SubmittableWrites.Find(receipt.Method) is not { } write)
            {
                // Stored by a newer gateway version: this one cannot deliver it; another instance may.
                await store.RetryLaterAsync(submission, null, reachedProvider: false, now + _options.PollInterval, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // Sent in its client's name only while that client may still make it: a client removed since (a revoked key), or
            // no longer permitted the method or the district, has its submissions end NOT_DELIVERED, never sent.
            if (NoLongerPermitted(receipt) is { } refusal)
            {
                if (await store.NotDeliveredAsync(submission, Core.GrpcStatusNames.Name(Grpc.Core.StatusCode.PermissionDenied), Google.Protobuf.MessageExtensions.ToByteArray(refusal), now + _options.Retention, CancellationToken.None).ConfigureAwait(false))
                {
                    DeliveryLog.Refused(logger, receipt.Id, receipt.Method, provider.Id, "PERMISSION_DENIED");
                    metrics.Finished(provider.Id, receipt.Method, "NOT_DELIVERED");
                    journal.AppendRefusal(new AccessRecord(now, receipt.ClientId, submission.OperatorId, submission.Purpose, receipt.Method, "", "", [new ProviderTouch(provider.Id, "PERMISSION_DENIED", "DELIVERY")], "PERMISSION_DENIED")
                    {
                        Submission = receipt.Id.ToString(),
                    });
                }

                return;
            }

            // Every attempt is journaled: without room in the journal, no attempt.
            if (!journal.Admit())
            {
                await store.RetryLaterAsync(submission, null, reachedProvider: false, now + _options.PollInterval, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            var caller = new CallerIdentity(receipt.ClientId, submission.OperatorId, submission.Purpose);
            var desk = new DeskContext(now.UtcDateTime + provider.Deadline, stoppingToken, BypassCache: true, Caller: caller, Aborted: stoppingToken);
            var attempt = await write.DeliverAsync(pipeline, provider, submission.Request, desk).ConfigureAwait(false);
            callEnded = true;
            CallEnded(provider, lane, stoppingToken);
            var done = time.GetUtcNow();
            var outcome = attempt.Delivered ? "delivered" : attempt.IsTransient || stoppingToken.IsCancellationRequested ? "retry" : "refused";
            metrics.Attempt(provider.Id, receipt.Method, outcome);
            journal.Append(new AccessRecord(done, receipt.ClientId, submission.OperatorId, submission.Purpose, receipt.Method, "iin",
                write.CitizenOf(submission.Request) is { } iin ? subjects.Hash(iin) : "", [new ProviderTouch(provider.Id, attempt.CodeName, "DELIVERY")], attempt.CodeName)
            {
                Submission = receipt.Id.ToString(),
            });

            var record = Recording(provider, submission, attempt, done, stopped: stoppingToken.IsCancellationRequested && !attempt.Delivered);
            try
            {
                await record().ConfigureAwait(false);
            }
            catch (Exception e) when (IsStoreFailure(e) || e is OperationCanceledException)
            {
                // The store failed just now: the outcome is kept here and recorded first thing once it is back, so the
                // submission is neither attempted again before its lease ends nor left with a lease nobody holds.
                DeliveryLog.OutcomeNotRecorded(logger, receipt.Id, e.GetType().Name);
                _unrecorded.Enqueue(record);
            }
        }
        catch (Exception e) when (IsStoreFailure(e) || e is OperationCanceledException)
        {
            DeliveryLog.OutcomeNotRecorded(logger, receipt.Id, e.GetType().Name);
        }
        finally
        {
            // Ended before its call (refused, not deliverable here, no room in the journal) or by a failure.
            if (!callEnded)
            {
                CallEnded(provider, lane, stoppingToken);
            }
        }
    }

    // Why the submission's client may no longer make it, as the status kept in its receipt; null when it may.
    private Google.Rpc.Status? NoLongerPermitted(SubmissionReceipt receipt)
    {
        var method = Core.FrontDeskMethods.Find(receipt.Method);
        var client = clients.FindById(receipt.ClientId);
        var why = client is null ? $"client '{receipt.ClientId}' is no longer configured"
            : method is null || !client.MayCall(method) ? $"client '{receipt.ClientId}' may no longer call {receipt.Method}"
            : !client.AllDistricts && !client.MayAsk(receipt.District) ? $"client '{receipt.ClientId}' may no longer ask about district '{receipt.District}'"
            : null;
        return why is null ? null : new Google.Rpc.Status
        {
            Code = (int)Grpc.Core.StatusCode.PermissionDenied,
            Message = $"Not delivered: {why}.",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(Contracts.Errors.RpcErrors.ErrorInfo(Contracts.Errors.ErrorReasons.MethodNotPermitted, new() { ["client_id"] = receipt.ClientId, ["method"] = receipt.Method })) },
        };
    }

    // How the outcome of one attempt is recorded (again, when the store failed the first time).
    private Func<Task> Recording(ProviderDescriptor provider, ClaimedSubmission submission, DeliveryAttempt attempt, DateTimeOffset done, bool stopped)
    {
        var receipt = submission.Receipt;
        var attemptNumber = receipt.Attempts + 1;
        return async () =>
        {
            bool recorded;
            if (attempt.Delivered)
            {
                var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_answers.Writer.TryWrite((submission, attempt.Answer!, done + _options.Retention, answer)))
                {
                    recorded = await store.DeliveredAsync(submission, attempt.Answer!, done + _options.Retention, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    recorded = await answer.Task.ConfigureAwait(false);
                }
                if (recorded)
                {
                    DeliveryLog.Delivered(logger, receipt.Id, receipt.Method, provider.Id, attemptNumber);
                    metrics.Finished(provider.Id, receipt.Method, "DELIVERED");
                }
            }
            else if (stopped)
            {
                // Stopped mid-attempt: it may have reached the provider; due again at once, on whichever instance.
                recorded = await store.RetryLaterAsync(submission, attempt.CodeName, reachedProvider: true, done, CancellationToken.None).ConfigureAwait(false);
            }
            else if (attempt.IsTransient)
            {
                var reached = attempt.MayHaveReachedProvider;
                var delay = reached ? SubmissionBackoff.Delay(_options, receipt.Attempts + 1) : _options.PollInterval;
                recorded = await store.RetryLaterAsync(submission, attempt.CodeName, reached, done + delay, CancellationToken.None).ConfigureAwait(false);
                DeliveryLog.WillRetry(logger, receipt.Id, receipt.Method, provider.Id, attemptNumber, attempt.CodeName, delay.TotalMilliseconds);
            }
            else
            {
                recorded = await store.NotDeliveredAsync(submission, attempt.CodeName, Google.Protobuf.MessageExtensions.ToByteArray(attempt.Status), done + _options.Retention, CancellationToken.None).ConfigureAwait(false);
                if (recorded)
                {
                    DeliveryLog.Refused(logger, receipt.Id, receipt.Method, provider.Id, attempt.CodeName);
                    metrics.Finished(provider.Id, receipt.Method, "NOT_DELIVERED");
                }
            }

            if (!recorded)
            {
                DeliveryLog.LeaseLost(logger, receipt.Id);
            }
        };
    }

    // The single writer of answers: takes every answer waiting (up to 256) and records them in one transaction; a store
    // failure fails each of them, to be recorded again by its delivery (RecordUnrecordedAsync).
    private async Task WriteAnswersAsync()
    {
        var batch = new List<(ClaimedSubmission Claimed, byte[] Answer, DateTimeOffset PurgeAfter, TaskCompletionSource<bool> Recorded)>();
        while (await _answers.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 256 && _answers.Reader.TryRead(out var answer))
            {
                batch.Add(answer);
            }

            try
            {
                var recorded = await store.DeliveredAsync([.. batch.Select(a => (a.Claimed, a.Answer))], batch.Max(a => a.PurgeAfter), CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Recorded.TrySetResult(recorded[i]);
                }
            }
            catch (Exception e)
            {
                batch.ForEach(a => a.Recorded.TrySetException(e));
            }
        }
    }

    // Outcomes the store failed to take, recorded in order before anything new is leased; stops at the first failure.
    private async Task RecordUnrecordedAsync()
    {
        while (_unrecorded.TryPeek(out var record))
        {
            await record().ConfigureAwait(false);
            _unrecorded.TryDequeue(out _);
        }
    }

    // Every few seconds: the open submissions counted, those past their age ended, expired payloads purged.
    private async Task HousekeepingAsync(CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextHousekeeping)
        {
            return;
        }

        _nextHousekeeping = now + HousekeepingInterval;
        var expired = await store.ExpireAsync(_options.MaxAge, _options.Retention, stoppingToken).ConfigureAwait(false);
        if (expired.Count > 0)
        {
            DeliveryLog.Expired(logger, expired.Count);
            foreach (var receipt in expired)
            {
                metrics.Finished(receipt.ProviderId, receipt.Method, "NOT_DELIVERED");
                journal.AppendRefusal(new AccessRecord(now, receipt.ClientId, "", "", receipt.Method, "", "", [new ProviderTouch(receipt.ProviderId, "DEADLINE_EXCEEDED", "DELIVERY")], "DEADLINE_EXCEEDED")
                {
                    Submission = receipt.Id.ToString(),
                });
            }
        }

        await store.PurgeAsync(1000, stoppingToken).ConfigureAwait(false);
        var statistics = await store.OpenStatisticsAsync(stoppingToken).ConfigureAwait(false);
        backlog.Update(statistics, now);
        foreach (var open in statistics)
        {
            // Stored for a provider no longer configured: kept (a later configuration may bring it back), said once.
            if (registry.Find(open.ProviderId) is null && _unknownProviders.Add(open.ProviderId))
            {
                DeliveryLog.UnknownProvider(logger, open.ProviderId);
            }
        }
    }

    private static bool IsStoreFailure(Exception e) =>
        e is SubmissionStoreUnavailableException or System.Data.Common.DbException or TimeoutException or IOException or System.Net.Sockets.SocketException or InvalidOperationException;

    // One provider's deliveries on this relay: those under way (at most its room) and those leased, waiting for room.
    private sealed class DeliveryLane
    {
        private readonly Lock _gate = new();
        private readonly Queue<(ClaimedSubmission Submission, DateTimeOffset LeasedUntil)> _leased = new();
        private int _inFlight;

        // Leased by this relay and not finished: under way or waiting.
        public int Held
        {
            get
            {
                lock (_gate)
                {
                    return _inFlight + _leased.Count;
                }
            }
        }

        public void Lease(IReadOnlyList<ClaimedSubmission> claimed, DateTimeOffset leasedUntil)
        {
            lock (_gate)
            {
                foreach (var submission in claimed)
                {
                    _leased.Enqueue((submission, leasedUntil));
                }
            }
        }

        // The next leased submission, counted under way, if fewer than limit are.
        public bool TryStart(int limit, out (ClaimedSubmission Submission, DateTimeOffset LeasedUntil) leased)
        {
            lock (_gate)
            {
                if (_inFlight < limit && _leased.TryDequeue(out leased))
                {
                    _inFlight++;
                    return true;
                }

                leased = default;
                return false;
            }
        }

        public void Ended()
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }

        public List<ClaimedSubmission> TakeLeased()
        {
            lock (_gate)
            {
                var taken = _leased.Select(l => l.Submission).ToList();
                _leased.Clear();
                return taken;
            }
        }
    }
}
