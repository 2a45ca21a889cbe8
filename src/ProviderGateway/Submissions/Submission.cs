namespace ProviderGateway.Submissions;

/// <summary>Where a submission stands (the contract's delivery states).</summary>
public enum SubmissionState
{
    /// <summary>Stored, not yet attempted (or refused before the wire): it can still be cancelled.</summary>
    Accepted = 1,

    /// <summary>Being delivered, or attempted and waiting for its next attempt: it may have reached the provider.</summary>
    OnDelivery = 2,

    /// <summary>The provider accepted it; its answer is kept until the retention ends.</summary>
    Delivered = 3,

    /// <summary>The provider refused it definitively, or it passed its maximum age undelivered.</summary>
    NotDelivered = 4,

    /// <summary>Cancelled by its client while still ACCEPTED; the provider never saw it.</summary>
    DeliveryStopped = 5,
}

/// <summary>The receipt of a submission: what the store keeps for ever (no personal data; the citizen only as an HMAC).</summary>
/// <param name="Id">The submission id (UUIDv7).</param>
/// <param name="Sequence">Acceptance order across the store.</param>
/// <param name="ClientId">The gateway client that made it: no other client sees it.</param>
/// <param name="RequestId">The desk's request_id: the provider's idempotency key on every attempt.</param>
/// <param name="ProviderId">The provider it goes to.</param>
/// <param name="Method">The contract method, for example <c>CreateMeterReading</c>.</param>
/// <param name="District">The KATO code of the citizen's district (district-limited listing).</param>
/// <param name="State">Where it stands.</param>
/// <param name="AcceptedAt">When it was stored.</param>
/// <param name="NextAttemptAt">When it is attempted next (while ACCEPTED or ON_DELIVERY).</param>
/// <param name="Attempts">Attempts that reached the provider.</param>
/// <param name="LastStatus">The gRPC status of the last attempt, if any.</param>
/// <param name="FinishedAt">When it reached a final state.</param>
public sealed record SubmissionReceipt(
    Guid Id,
    long Sequence,
    string ClientId,
    string RequestId,
    string ProviderId,
    string Method,
    string District,
    SubmissionState State,
    DateTimeOffset AcceptedAt,
    DateTimeOffset NextAttemptAt,
    int Attempts,
    string? LastStatus,
    DateTimeOffset? FinishedAt)
{
    /// <summary>True once it can change no more.</summary>
    public bool IsFinal => State is SubmissionState.Delivered or SubmissionState.NotDelivered or SubmissionState.DeliveryStopped;
}

/// <summary>A write to store.</summary>
/// <param name="ClientId">The gateway client.</param>
/// <param name="RequestId">The desk's request_id.</param>
/// <param name="ProviderId">The provider.</param>
/// <param name="Method">The contract method.</param>
/// <param name="District">The citizen's district (KATO code).</param>
/// <param name="CitizenIin">The citizen: stored only as an HMAC.</param>
/// <param name="Request">The provider request (protobuf bytes): stored sealed.</param>
/// <param name="FirstAttemptAt">When it is first attempted.</param>
public sealed record NewSubmission(string ClientId, string RequestId, string ProviderId, string Method, string District, string CitizenIin, byte[] Request, DateTimeOffset FirstAttemptAt)
{
    /// <summary>The operator at the desk (passed on to the provider with each attempt, as with the desk's call).</summary>
    public string OperatorId { get; init; } = "";

    /// <summary>The purpose of access (passed on likewise).</summary>
    public string Purpose { get; init; } = "";

    /// <summary>
    /// The desk's own attempt before the write was stored, if any: when it may have reached the provider the submission
    /// starts ON_DELIVERY with one attempt (it can no longer be cancelled: the provider may have applied it).
    /// </summary>
    public SubmissionAttempt? FirstAttempt { get; init; }
}

/// <summary>An attempt made before a submission was stored.</summary>
/// <param name="Status">Its gRPC code name, for example <c>UNAVAILABLE</c>.</param>
/// <param name="MayHaveReachedProvider">False only when it failed before the wire (circuit open, concurrency limit full).</param>
public sealed record SubmissionAttempt(string Status, bool MayHaveReachedProvider);

/// <summary>A submission leased to one relay for one attempt.</summary>
/// <param name="Receipt">Its receipt, as claimed (ON_DELIVERY).</param>
/// <param name="LeaseToken">The fencing token: only the holder's outcome is recorded.</param>
/// <param name="Request">The provider request, unsealed.</param>
public sealed record ClaimedSubmission(SubmissionReceipt Receipt, Guid LeaseToken, byte[] Request)
{
    /// <summary>The operator at the desk that made it.</summary>
    public string OperatorId { get; init; } = "";

    /// <summary>The purpose of access it was made for.</summary>
    public string Purpose { get; init; } = "";
}

/// <summary>What a listing asks for: one client's submissions, optionally one citizen's or one state's, newest first.</summary>
/// <param name="ClientId">The client.</param>
/// <param name="CitizenIin">Only this citizen's, or all.</param>
/// <param name="State">Only in this state, or all.</param>
/// <param name="BeforeSequence">Keyset paging: only older than this sequence.</param>
/// <param name="Limit">At most this many.</param>
public sealed record SubmissionQuery(string ClientId, string? CitizenIin, SubmissionState? State, long? BeforeSequence, int Limit);

/// <summary>One provider's open submissions, for metrics: how many wait and how long the oldest has waited.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="Accepted">Its submissions ACCEPTED (none of their attempts reached it).</param>
/// <param name="OnDelivery">Its submissions ON_DELIVERY (being attempted, or attempted and waiting for the next attempt).</param>
/// <param name="OldestAcceptedAt">When the oldest of them (either state) was accepted.</param>
public sealed record OpenSubmissionStats(string ProviderId, int Accepted, int OnDelivery, DateTimeOffset OldestAcceptedAt);

/// <summary>How accepting a submission went.</summary>
public enum AcceptOutcome
{
    /// <summary>Stored now.</summary>
    Stored,

    /// <summary>The same request was stored before under this request_id: its receipt is the answer.</summary>
    AlreadyStored,

    /// <summary>The request_id was used before by this client for a different request.</summary>
    RequestIdReused,
}

/// <summary>How cancelling went.</summary>
public enum CancelOutcome
{
    /// <summary>Stopped: it was ACCEPTED; now DELIVERY_STOPPED.</summary>
    Stopped,

    /// <summary>No such submission of this client.</summary>
    NotFound,

    /// <summary>Too late: ON_DELIVERY or final.</summary>
    TooLate,
}

/// <summary>The store could not be reached or failed: nothing was stored, no receipt may be given.</summary>
public sealed class SubmissionStoreUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// A sealed value of a submission could not be opened: the key it was sealed under (<see cref="KeyId"/>) is no longer
/// configured, or the value was altered. The message names the key id, never key material or content.
/// </summary>
public sealed class SubmissionUnreadableException(Guid submissionId, short keyId, Exception inner)
    : Exception($"The sealed answer of submission {submissionId} (key {keyId}) cannot be opened: {inner.Message}", inner)
{
    /// <summary>The submission.</summary>
    public Guid SubmissionId { get; } = submissionId;

    /// <summary>The id of the key it was sealed under.</summary>
    public short KeyId { get; } = keyId;
}
