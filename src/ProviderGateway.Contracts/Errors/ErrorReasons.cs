namespace ProviderGateway.Contracts.Errors;

/// <summary>
/// The stable <c>google.rpc.ErrorInfo.reason</c> values of the gateway (domain
/// <see cref="RpcErrors.Domain"/>). Desks may branch on them; they never change meaning.
/// </summary>
public static class ErrorReasons
{
    /// <summary>The request failed validation; a BadRequest lists the fields.</summary>
    public const string InvalidRequest = "INVALID_REQUEST";

    /// <summary>The named provider id is not configured.</summary>
    public const string UnknownProvider = "UNKNOWN_PROVIDER";

    /// <summary>No provider of the domain serves the district asked for.</summary>
    public const string NoProviderForDistrict = "NO_PROVIDER_FOR_DISTRICT";

    /// <summary>The provider refused the request as invalid; a BadRequest from the provider may follow.</summary>
    public const string ProviderRejectedRequest = "PROVIDER_REJECTED_REQUEST";

    /// <summary>The provider has no such resource; a ResourceInfo follows.</summary>
    public const string ResourceNotFound = "RESOURCE_NOT_FOUND";

    /// <summary>The provider refused a write that conflicts with an earlier one.</summary>
    public const string ProviderConflict = "PROVIDER_CONFLICT";

    /// <summary>The provider refused the request in the resource's current state.</summary>
    public const string ProviderPreconditionFailed = "PROVIDER_PRECONDITION_FAILED";

    /// <summary>The provider could not be reached or refused the connection.</summary>
    public const string ProviderUnavailable = "PROVIDER_UNAVAILABLE";

    /// <summary>The provider did not answer within its deadline (or the desk's, if shorter).</summary>
    public const string ProviderDeadlineExceeded = "PROVIDER_DEADLINE_EXCEEDED";

    /// <summary>The gateway's circuit breaker for the provider is open: the call failed fast, nothing was sent.</summary>
    public const string ProviderCircuitOpen = "PROVIDER_CIRCUIT_OPEN";

    /// <summary>The provider already has the most calls in flight the gateway allows it: the call failed fast.</summary>
    public const string ProviderBusy = "PROVIDER_BUSY";

    /// <summary>The provider reported it is overloaded.</summary>
    public const string ProviderOverloaded = "PROVIDER_OVERLOADED";

    /// <summary>The provider failed internally; its own message is not passed on.</summary>
    public const string ProviderInternalError = "PROVIDER_INTERNAL_ERROR";

    /// <summary>The provider does not implement the method.</summary>
    public const string ProviderMethodUnimplemented = "PROVIDER_METHOD_UNIMPLEMENTED";

    /// <summary>
    /// No longer produced (kept so that its meaning never changes): replaced by <see cref="ProviderPermissionDenied"/>
    /// and <see cref="ProviderAuthenticationFailed"/>.
    /// </summary>
    public const string ProviderRejectedGateway = "PROVIDER_REJECTED_GATEWAY";

    /// <summary>The provider refused this call (PERMISSION_DENIED): it does not let this client, operator or purpose see it.</summary>
    public const string ProviderPermissionDenied = "PROVIDER_PERMISSION_DENIED";

    /// <summary>The provider rejected the gateway's own credentials (UNAUTHENTICATED): a configuration matter for operators.</summary>
    public const string ProviderAuthenticationFailed = "PROVIDER_AUTHENTICATION_FAILED";

    /// <summary>
    /// With status OK: the provider failed, and the data is the last good answer (freshness STALE); the
    /// metadata says how the provider failed.
    /// </summary>
    public const string ServedStale = "SERVED_STALE_AFTER_PROVIDER_FAILURE";

    /// <summary>The desk cancelled the call.</summary>
    public const string CancelledByCaller = "CANCELLED_BY_CALLER";

    /// <summary>The gateway itself failed unexpectedly; the incident is logged.</summary>
    public const string InternalError = "GATEWAY_INTERNAL_ERROR";

    /// <summary>The call carried no valid credentials (API key or client certificate).</summary>
    public const string ClientNotAuthenticated = "CLIENT_NOT_AUTHENTICATED";

    /// <summary>The client may not call this method.</summary>
    public const string MethodNotPermitted = "METHOD_NOT_PERMITTED";

    /// <summary>The client may not ask about this district (or must name one of its districts).</summary>
    public const string DistrictNotPermitted = "DISTRICT_NOT_PERMITTED";

    /// <summary>The client called more often than its rate limit allows; RetryInfo says when to try again.</summary>
    public const string RateLimited = "CLIENT_RATE_LIMITED";

    /// <summary>The access journal cannot take more records for now; the call was refused before any lookup.</summary>
    public const string AccessJournalFull = "ACCESS_JOURNAL_FULL";

    /// <summary>The request message is larger than the gateway accepts.</summary>
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";

    /// <summary>The page token was not issued by this gateway for this client and listing (edited, forged, replayed).</summary>
    public const string PageTokenInvalid = "PAGE_TOKEN_INVALID";

    /// <summary>The page token is older than its lifetime: the desk starts the listing again.</summary>
    public const string PageTokenExpired = "PAGE_TOKEN_EXPIRED";

    /// <summary>The request is not a well-formed message of its method (or its gRPC framing is broken).</summary>
    public const string MalformedRequest = "MALFORMED_REQUEST";

    /// <summary>The request named a front-desk method in another spelling than its exact path (refused UNIMPLEMENTED).</summary>
    public const string PathNotCanonical = "METHOD_PATH_NOT_CANONICAL";

    /// <summary>The gateway serves no gRPC method at the request's path (refused UNIMPLEMENTED).</summary>
    public const string MethodNotFound = "METHOD_NOT_FOUND";

    /// <summary>
    /// A write sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE found its provider unavailable and the gateway could not store
    /// it either (its database is unreachable): nothing was stored, there is no receipt (UNAVAILABLE).
    /// </summary>
    public const string SubmissionStoreUnavailable = "SUBMISSION_STORE_UNAVAILABLE";

    /// <summary>This client has no submission of that id (another client's is not shown) (NOT_FOUND).</summary>
    public const string SubmissionNotFound = "SUBMISSION_NOT_FOUND";

    /// <summary>The submission can no longer be cancelled: its delivery started or it is final (FAILED_PRECONDITION).</summary>
    public const string SubmissionNotCancellable = "SUBMISSION_NOT_CANCELLABLE";

    /// <summary>
    /// The submission's stored answer (or refusal details) cannot be opened: it was sealed under a key the gateway no longer
    /// holds, or altered (DATA_LOSS). The submission itself reached the state its receipt shows.
    /// </summary>
    public const string SubmissionAnswerUnreadable = "SUBMISSION_ANSWER_UNREADABLE";

    /// <summary>
    /// The request_id of a write sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE was used before by this client for another
    /// request (ALREADY_EXISTS); the first submission stands.
    /// </summary>
    public const string RequestIdReused = "REQUEST_ID_REUSED";

    /// <summary>
    /// A write sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE was not sent to its provider: the citizen has an earlier
    /// submission to that provider not yet delivered, and the write is stored behind it (its source's status).
    /// </summary>
    public const string SubmissionQueuedBehind = "SUBMISSION_QUEUED_BEHIND";

    /// <summary>The consent authority has no way to reach the citizen for a code (no phone number on record) (FAILED_PRECONDITION).</summary>
    public const string ConsentNoChannel = "CONSENT_NO_CHANNEL";

    /// <summary>The consent code is wrong; metadata <c>attempts_left</c> says how many tries remain (INVALID_ARGUMENT).</summary>
    public const string ConsentCodeWrong = "CONSENT_CODE_WRONG";

    /// <summary>The consent code's 5 minutes passed: request a new consent (FAILED_PRECONDITION).</summary>
    public const string ConsentCodeExpired = "CONSENT_CODE_EXPIRED";

    /// <summary>The consent request's 5 attempts are used up: request a new consent (FAILED_PRECONDITION).</summary>
    public const string ConsentAttemptsExhausted = "CONSENT_ATTEMPTS_EXHAUSTED";

    /// <summary>No pending consent request has this id (unknown, or already confirmed) (NOT_FOUND).</summary>
    public const string ConsentRequestNotFound = "CONSENT_REQUEST_NOT_FOUND";

    /// <summary>The citizen has no consent of this id (NOT_FOUND).</summary>
    public const string ConsentNotFound = "CONSENT_NOT_FOUND";

    /// <summary>
    /// The call needs the citizen's consent and has none that grants it (PERMISSION_DENIED): metadata <c>refusal</c> says
    /// why (MISSING_TOKEN, MALFORMED_TOKEN, UNKNOWN_TOKEN, EXPIRED, REVOKED, OTHER_CITIZEN, OTHER_CLIENT, OTHER_PURPOSE,
    /// SCOPE_NOT_GRANTED) and a <c>google.rpc.PreconditionFailure</c> names each missing scope.
    /// </summary>
    public const string ConsentRequired = "CONSENT_REQUIRED";

    /// <summary>The consent authority did not answer in time or failed; nothing was read (UNAVAILABLE, retry).</summary>
    public const string ConsentAuthorityUnavailable = "CONSENT_AUTHORITY_UNAVAILABLE";

    /// <summary>The access history's index cannot be read right now (its database is down); nothing is lost (UNAVAILABLE, retry).</summary>
    public const string AccessHistoryUnavailable = "ACCESS_HISTORY_UNAVAILABLE";
}
