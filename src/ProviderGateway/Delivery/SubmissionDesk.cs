using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Paging;
using ProviderGateway.Paging;
using ProviderGateway.Pipeline;
using ProviderGateway.Routing;
using ProviderGateway.Submissions;
using Status = Google.Rpc.Status;
using SubmissionState = ProviderGateway.Contracts.FrontDesk.V1.SubmissionState;
using StoredState = ProviderGateway.Submissions.SubmissionState;

namespace ProviderGateway.Delivery;

/// <summary>A write's answer: the provider's, or the receipt of the submission stored to deliver it later.</summary>
/// <typeparam name="TResponse">The provider's answer.</typeparam>
/// <param name="Answer">The provider's answer; <c>null</c> when it was submitted.</param>
/// <param name="Source">The provider and how the call went (its failure when submitted).</param>
/// <param name="Submission">The receipt, when submitted.</param>
public sealed record WriteAnswer<TResponse>(TResponse? Answer, SourceStatus Source, Submission? Submission)
    where TResponse : class;

/// <summary>
/// The desk's side of durable submissions. A write sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE is tried at once, like
/// any write, a little short of the desk's deadline (<see cref="SubmissionOptions.AcceptReserve"/> is kept to store it);
/// if the provider cannot take it in time (<see cref="DeliveryAttempt.IsTransient"/>) it is stored in the
/// <see cref="SubmissionStore"/> and the desk gets OK with its receipt; a definitive refusal is the desk's answer, as in
/// SYNC. An OK receipt means the row is on disk: when the store fails, the desk gets UNAVAILABLE
/// (<c>SUBMISSION_STORE_UNAVAILABLE</c>). Also GetSubmission, ListSubmissions and CancelSubmission: a client sees only its
/// own submissions, and only those of its districts.
/// </summary>
public sealed class SubmissionDesk(
    ProviderRouter router,
    ProviderCallPipeline pipeline,
    PageTokens pageTokens,
    SubmissionRelaySignal relay,
    SubmissionMetrics metrics,
    IOptions<SubmissionOptions> options,
    TimeProvider time,
    ILogger<SubmissionDesk> logger,
    SubmissionStore? store = null)
{
    private readonly SubmissionOptions _options = options.Value;

    /// <summary>True when a store is configured.</summary>
    public bool IsEnabled => store is not null;

    /// <summary>
    /// Sends a write to its provider; with <paramref name="mode"/> ACCEPT_WHEN_UNAVAILABLE, stores it when the provider cannot
    /// take it in time.
    /// </summary>
    /// <exception cref="RpcException">A routing error, the provider's definitive refusal, or the store's failure.</exception>
    public async Task<WriteAnswer<TResponse>> WriteAsync<TRequest, TResponse>(
        SubmittableWrite<TRequest, TResponse> write,
        string? providerId,
        string? katoCode,
        TRequest request,
        string requestId,
        string iin,
        DeliveryMode mode,
        DeskContext desk)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        if (mode != DeliveryMode.AcceptWhenUnavailable)
        {
            var (answer, source) = await pipeline.CallOneAsync(providerId, katoCode, write.Operation, request, desk).ConfigureAwait(false);
            return new WriteAnswer<TResponse>(answer, source, null);
        }

        var provider = router.Single(write.Operation.Domain, providerId, katoCode);
        ProviderOutcome<TResponse> outcome;
        if (await QueuedBehindAsync(provider.Id, iin).ConfigureAwait(false))
        {
            // IN ORDER: an earlier submission of this citizen to this provider is not delivered yet; this one must not
            // overtake it (a meter reading after a later one is refused), so it is stored behind it without a call.
            outcome = ProviderOutcome<TResponse>.Failed(provider, QueuedBehind(provider.Id), TimeSpan.Zero);
        }
        else
        {
            // THE FIRST ATTEMPT, ending early enough to store the write after it.
            var attemptDesk = desk with { Deadline = desk.Deadline - _options.AcceptReserve };
            using var bound = new DeskDeadlineScope(attemptDesk, time);
            outcome = await pipeline.CallAsync(provider, write.Operation, request, bound.Desk).ConfigureAwait(false);
        }

        if (outcome.Response is { } taken)
        {
            return new WriteAnswer<TResponse>(taken, outcome.ToSourceStatus(desk.Language), null);
        }

        var attempt = SubmittableWrite<TRequest, TResponse>.Attempt(outcome);
        if (!attempt.IsTransient || desk.Aborted.IsCancellationRequested)
        {
            // A definitive refusal, or a desk that went away: answered as in SYNC, nothing stored.
            throw outcome.Status.ToRpcException();
        }

        // ACCEPT: stored durably before the desk hears OK.
        if (store is null)
        {
            throw RpcErrors.Build(
                StatusCode.Unavailable,
                $"Provider '{provider.Id}' is unavailable and this gateway keeps no submissions (Gateway:Submissions:Store is None): try again later.",
                RpcErrors.ErrorInfo(ErrorReasons.SubmissionStoreUnavailable, new() { ["provider_id"] = provider.Id }));
        }

        var now = time.GetUtcNow();
        var submission = new NewSubmission(
            desk.Caller?.ClientId ?? "",
            requestId,
            provider.Id,
            write.DeskMethod,
            katoCode ?? "",
            iin,
            StoredRequest(request, requestId),
            now + SubmissionBackoff.Delay(_options, attempt.MayHaveReachedProvider ? 1 : 0))
        {
            OperatorId = desk.Caller?.OperatorId ?? "",
            Purpose = desk.Caller?.Purpose ?? "",
            FirstAttempt = new SubmissionAttempt(attempt.CodeName, attempt.MayHaveReachedProvider),
        };

        (AcceptOutcome Outcome, SubmissionReceipt? Receipt) accepted;
        try
        {
            accepted = await store.AcceptAsync(submission, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SubmissionStoreUnavailableException)
        {
            throw StoreUnavailable(provider.Id);
        }

        if (accepted.Outcome == AcceptOutcome.RequestIdReused)
        {
            throw RpcErrors.Build(
                StatusCode.AlreadyExists,
                "This request_id was already used by this client for a different write; choose a new request_id for a new write.",
                RpcErrors.ErrorInfo(ErrorReasons.RequestIdReused, new() { ["provider_id"] = provider.Id }));
        }

        if (accepted.Outcome == AcceptOutcome.Stored)
        {
            metrics.Accepted(provider.Id, write.DeskMethod);
            relay.Wake(provider.Id);
        }

        return new WriteAnswer<TResponse>(null, outcome.ToSourceStatus(desk.Language), ToContract(accepted.Receipt!, attempt.Status));
    }

    // The request as stored, with its request_id in lower case: request_ids compare without case (the store keys them in
    // lower case, providers compare them ignoring case), so the same write sent again with its request_id in another case
    // has the same digest and gets its receipt, not ALREADY_EXISTS.
    private static byte[] StoredRequest<TRequest>(TRequest request, string requestId)
        where TRequest : class, IMessage<TRequest>
    {
        if (request.Descriptor.FindFieldByName("request_id") is not { FieldType: Google.Protobuf.Reflection.FieldType.String, IsRepeated: false } field)
        {
            return request.ToByteArray();
        }

        var stored = request.Clone();
        field.Accessor.SetValue(stored, requestId.ToLowerInvariant());
        return stored.ToByteArray();
    }

    // Whether the citizen has an open submission at the provider; a store that cannot say does not stop the write, which is
    // then tried at once (and stored, if it must be, only when the store is back).
    private async Task<bool> QueuedBehindAsync(string providerId, string iin)
    {
        if (store is null)
        {
            return false;
        }

        try
        {
            return await store.HasOpenAsync(providerId, iin, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SubmissionStoreUnavailableException)
        {
            return false;
        }
    }

    private static Status QueuedBehind(string providerId) => new()
    {
        Code = (int)StatusCode.Unavailable,
        Message = $"Not sent to provider '{providerId}': this citizen has an earlier submission to it not yet delivered, and this write is delivered after it.",
        Details = { Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.SubmissionQueuedBehind, new() { ["provider_id"] = providerId })) },
    };

    /// <summary>GetSubmission: the client's submission, with the provider's answer once delivered.</summary>
    public async Task<GetSubmissionResponse> GetAsync(string submissionId, DeskContext desk)
    {
        var (store, client) = Ready(desk);
        var receipt = await VisibleAsync(store, client, submissionId, desk).ConfigureAwait(false);
        byte[]? stored;
        try
        {
            stored = receipt.IsFinal && receipt.State != StoredState.DeliveryStopped ? await store.ResponseAsync(receipt.Id, desk.Cancellation).ConfigureAwait(false) : null;
        }
        catch (SubmissionUnreadableException e)
        {
            // Not the gateway's fault of the moment (INTERNAL) but lost data: its key was rotated away, or it was altered.
            DeliveryLog.AnswerUnreadable(logger, receipt.Id, e.KeyId, e.InnerException?.GetType().Name ?? "");
            throw RpcErrors.Build(
                StatusCode.DataLoss,
                $"Submission {receipt.Id} is {ToContract(receipt, null).State}, but its stored {(receipt.State == StoredState.Delivered ? "answer" : "refusal details")} " +
                $"cannot be opened: it was sealed under key {e.KeyId}, which this gateway no longer holds (Gateway:Submissions:PreviousSealKeys), or it was altered.",
                RpcErrors.ErrorInfo(ErrorReasons.SubmissionAnswerUnreadable, new() { ["submission_id"] = receipt.Id.ToString(), ["key_id"] = e.KeyId.ToString(CultureInfo.InvariantCulture) }));
        }

        var response = new GetSubmissionResponse();
        Status? last = null;
        if (stored is not null && receipt.State == StoredState.Delivered)
        {
            SubmittableWrites.Find(receipt.Method)?.ShowAnswer(response, stored);
        }
        else if (stored is not null && receipt.State == StoredState.NotDelivered)
        {
            last = Status.Parser.ParseFrom(stored);
        }

        response.Submission = ToContract(receipt, last);
        return response;
    }

    /// <summary>ListSubmissions: the client's submissions, newest first, in pages.</summary>
    public async Task<ListSubmissionsResponse> ListAsync(ListSubmissionsRequest request, DeskContext desk)
    {
        var (store, client) = Ready(desk);
        var size = PageSize.Resolve(request.PageSize);
        var binding = new PageTokenBinding(client.ClientId, "ListSubmissions", request.Iin, ((int)request.State).ToString(CultureInfo.InvariantCulture));
        long? before = null;
        if (request.PageToken.Length > 0)
        {
            var cursors = pageTokens.Open(request.PageToken, binding);
            before = cursors.Count == 1 && long.TryParse(cursors[0].Token, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : throw PageTokens.Invalid();
        }

        var state = request.State == SubmissionState.Unspecified ? (StoredState?)null : (StoredState)(int)request.State;
        var page = await WithStoreAsync(() => store.ListAsync(new SubmissionQuery(client.ClientId, request.Iin.Length > 0 ? request.Iin : null, state, before, size + 1), desk.Cancellation)).ConfigureAwait(false);
        var response = new ListSubmissionsResponse();
        foreach (var receipt in page.Take(size))
        {
            // A client whose districts were narrowed since no longer sees what it submitted elsewhere.
            if (client.Districts.Contains(receipt.District) || !client.Districts.IsLimited)
            {
                response.Submissions.Add(ToContract(receipt, null));
            }
        }

        if (page.Count > size)
        {
            response.NextPageToken = pageTokens.Issue(binding, [new ProviderCursor("", page[size - 1].Sequence.ToString(CultureInfo.InvariantCulture))]);
        }

        return response;
    }

    /// <summary>CancelSubmission: stops the client's submission while ACCEPTED.</summary>
    public async Task<CancelSubmissionResponse> CancelAsync(string submissionId, DeskContext desk)
    {
        var (store, client) = Ready(desk);
        var receipt = await VisibleAsync(store, client, submissionId, desk).ConfigureAwait(false);
        var outcome = await WithStoreAsync(() => store.CancelAsync(client.ClientId, receipt.Id, _options.Retention, desk.Cancellation)).ConfigureAwait(false);
        if (outcome == CancelOutcome.NotFound)
        {
            throw NotFound(submissionId);
        }

        var now = await WithStoreAsync(() => store.GetAsync(client.ClientId, receipt.Id, desk.Cancellation)).ConfigureAwait(false) ?? throw NotFound(submissionId);
        if (outcome == CancelOutcome.TooLate)
        {
            throw RpcErrors.Build(
                StatusCode.FailedPrecondition,
                $"Submission {submissionId} is {StateName(now.State)}: only an ACCEPTED submission, not yet attempted, can be cancelled.",
                new PreconditionFailure
                {
                    Violations = { new PreconditionFailure.Types.Violation { Type = "SUBMISSION_STATE", Subject = $"submissions/{submissionId}", Description = $"The submission is {StateName(now.State)}." } },
                },
                RpcErrors.ErrorInfo(ErrorReasons.SubmissionNotCancellable, new() { ["submission_id"] = submissionId, ["state"] = StateName(now.State) }));
        }

        return new CancelSubmissionResponse { Submission = ToContract(now, null) };
    }

    /// <summary>The contract's receipt of a stored submission (<paramref name="last"/>: the last attempt's full status, when kept).</summary>
    public static Submission ToContract(SubmissionReceipt receipt, Status? last)
    {
        var submission = new Submission
        {
            SubmissionId = receipt.Id.ToString(),
            RequestId = receipt.RequestId,
            ProviderId = receipt.ProviderId,
            Method = receipt.Method,
            State = (SubmissionState)(int)receipt.State,
            AcceptTime = Timestamp.FromDateTimeOffset(receipt.AcceptedAt),
            Attempts = receipt.Attempts,
            KatoCode = receipt.District,
        };
        if (!receipt.IsFinal)
        {
            submission.NextAttemptTime = Timestamp.FromDateTimeOffset(receipt.NextAttemptAt);
        }

        if (receipt.FinishedAt is { } finished)
        {
            submission.FinishTime = Timestamp.FromDateTimeOffset(finished);
        }

        if (last is not null)
        {
            submission.LastProviderStatus = last;
        }
        else if (receipt.LastStatus is { } code && Core.GrpcStatusNames.TryParse(code, out var parsed))
        {
            submission.LastProviderStatus = new Status { Code = (int)parsed, Message = $"The last attempt ended {code}." };
        }

        return submission;
    }

    private static string StateName(StoredState state) => state switch
    {
        StoredState.Accepted => "ACCEPTED",
        StoredState.OnDelivery => "ON_DELIVERY",
        StoredState.Delivered => "DELIVERED",
        StoredState.NotDelivered => "NOT_DELIVERED",
        StoredState.DeliveryStopped => "DELIVERY_STOPPED",
        _ => state.ToString(),
    };

    private (SubmissionStore Store, Security.CallerIdentity Client) Ready(DeskContext desk) =>
        (store ?? throw RpcErrors.Build(
            StatusCode.FailedPrecondition,
            "This gateway keeps no submissions (Gateway:Submissions:Store is None).",
            RpcErrors.ErrorInfo(ErrorReasons.SubmissionStoreUnavailable)),
         desk.Caller ?? throw new InvalidOperationException("A submission call without a caller: access control did not run."));

    private static async Task<SubmissionReceipt> VisibleAsync(SubmissionStore store, Security.CallerIdentity client, string submissionId, DeskContext desk)
    {
        // Another client's submission, or one outside the client's districts, is as good as absent.
        var receipt = Guid.TryParse(submissionId, out var id)
            ? await WithStoreAsync(() => store.GetAsync(client.ClientId, id, desk.Cancellation)).ConfigureAwait(false)
            : null;
        return receipt is not null && (!client.Districts.IsLimited || client.Districts.Contains(receipt.District)) ? receipt : throw NotFound(submissionId);
    }

    private static async Task<T> WithStoreAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException or System.Net.Sockets.SocketException or SubmissionStoreUnavailableException)
        {
            throw RpcErrors.Build(
                StatusCode.Unavailable,
                "The gateway's submission store is unreachable: try again shortly.",
                RpcErrors.ErrorInfo(ErrorReasons.SubmissionStoreUnavailable));
        }
    }

    private static RpcException StoreUnavailable(string providerId) =>
        RpcErrors.Build(
            StatusCode.Unavailable,
            $"Provider '{providerId}' is unavailable and the gateway could not store the write to deliver it later: nothing was stored; try again shortly.",
            RpcErrors.ErrorInfo(ErrorReasons.SubmissionStoreUnavailable, new() { ["provider_id"] = providerId }));

    private static RpcException NotFound(string submissionId) =>
        RpcErrors.Build(
            StatusCode.NotFound,
            $"This client has no submission {submissionId}.",
            new ResourceInfo { ResourceType = "frontdesk.v1.Submission", ResourceName = submissionId, Description = "No such submission of this client." },
            RpcErrors.ErrorInfo(ErrorReasons.SubmissionNotFound, new() { ["submission_id"] = submissionId }));
}
