using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.Errors;

namespace ProviderGateway.DemoProviders.Consent;

/// <summary>
/// The demo consent authority's state, in memory and thread-safe: pending requests with their one-time codes (6 digits,
/// 5 minutes, 5 attempts), consents by id and by the SHA-256 of their token (the token itself is never kept), and the
/// revocations in order, for <c>WatchRevocations</c>. Every time comes from the <see cref="TimeProvider"/> given.
/// </summary>
public sealed class DemoConsentLedger(IReadOnlyDictionary<string, string> phones, TimeProvider time)
{
    /// <summary>How long a code is accepted.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How many codes a request accepts before it is locked.</summary>
    public const int MaxAttempts = 5;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingRequest> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GrantedConsent> _consents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _consentByTokenHash = new(StringComparer.Ordinal);
    private readonly List<WatchRevocationsResponse> _revocations = [];
    private readonly Dictionary<string, string> _outbox = new(StringComparer.Ordinal);
    private TaskCompletionSource _revoked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The code last "sent" for <paramref name="requestId"/> (the demo's outbox), or <c>null</c>.</summary>
    public string? CodeFor(string requestId)
    {
        lock (_gate)
        {
            return _outbox.GetValueOrDefault(requestId);
        }
    }

    /// <summary>Starts a consent and "sends" its code (to the outbox).</summary>
    /// <exception cref="RpcException">FAILED_PRECONDITION CONSENT_NO_CHANNEL: no phone for the citizen.</exception>
    public RequestConsentResponse Request(RequestConsentRequest request)
    {
        if (!phones.TryGetValue(request.Iin, out var phone))
        {
            throw RpcErrors.FailedPrecondition("CONSENT_CHANNEL", "iin", "The consent authority has no phone number on record for this citizen: the citizen must register one.", ErrorReasons.ConsentNoChannel);
        }

        var now = time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString("N");
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _requests[requestId] = new PendingRequest(request.Clone(), code, now + CodeLifetime);
            _outbox[requestId] = code;
        }

        return new RequestConsentResponse
        {
            RequestId = requestId,
            Channel = ConfirmationChannel.Sms,
            MaskedDestination = Mask(phone),
            CodeExpireTime = Timestamp.FromDateTimeOffset(now + CodeLifetime),
        };
    }

    /// <summary>Confirms a request with its code: the consent and its token.</summary>
    /// <exception cref="RpcException">NOT_FOUND, FAILED_PRECONDITION (expired, attempts used up) or INVALID_ARGUMENT (wrong code).</exception>
    public ConfirmConsentResponse Confirm(ConfirmConsentRequest request)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_requests.TryGetValue(request.RequestId, out var pending))
            {
                throw RpcErrors.Build(StatusCode.NotFound, "No pending consent request has this id: it is unknown or already confirmed.",
                    new Google.Rpc.ResourceInfo { ResourceType = "consent.v1.ConsentRequest", ResourceName = request.RequestId, Description = "No pending consent request has this id." },
                    RpcErrors.ErrorInfo(ErrorReasons.ConsentRequestNotFound));
            }

            if (now >= pending.CodeExpiresAt)
            {
                throw RpcErrors.FailedPrecondition("CONSENT_CODE", "code", "The code expired (5 minutes): request a new consent.", ErrorReasons.ConsentCodeExpired);
            }

            if (pending.Attempts >= MaxAttempts)
            {
                throw RpcErrors.FailedPrecondition("CONSENT_CODE", "code", $"The {MaxAttempts} attempts of this request are used up: request a new consent.", ErrorReasons.ConsentAttemptsExhausted);
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(request.Code), Encoding.ASCII.GetBytes(pending.Code)))
            {
                pending.Attempts++;
                var left = MaxAttempts - pending.Attempts;
                throw RpcErrors.Build(
                    StatusCode.InvalidArgument,
                    $"The code is wrong; {left} attempt(s) left.",
                    new Google.Rpc.BadRequest { FieldViolations = { new Google.Rpc.BadRequest.Types.FieldViolation { Field = "code", Description = "The code is not the one sent to the citizen.", Reason = ErrorReasons.ConsentCodeWrong } } },
                    RpcErrors.ErrorInfo(ErrorReasons.ConsentCodeWrong, new() { ["attempts_left"] = left.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            }

            _requests.Remove(request.RequestId);
            _outbox.Remove(request.RequestId);
            var asked = pending.Request;
            var consent = new GrantedConsent(
                "consent-" + Guid.NewGuid().ToString("N"), asked.Iin, asked.ClientId, asked.OperatorId, asked.Purpose, [.. asked.Scopes], now + asked.Term.ToTimeSpan());
            var token = Base64Url(RandomNumberGenerator.GetBytes(32));
            _consents[consent.Id] = consent;
            _consentByTokenHash[Hash(token)] = consent.Id;
            return new ConfirmConsentResponse
            {
                ConsentId = consent.Id,
                ConsentToken = token,
                ExpireTime = Timestamp.FromDateTimeOffset(consent.ExpiresAt),
                Scopes = { consent.Scopes },
                Purpose = consent.Purpose,
            };
        }
    }

    /// <summary>Whether the token grants this access now, and if not why.</summary>
    public VerifyConsentResponse Verify(VerifyConsentRequest request)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_consentByTokenHash.TryGetValue(Hash(request.ConsentToken), out var id))
            {
                return new VerifyConsentResponse { Granted = false, Reason = RefusalReason.UnknownToken };
            }

            var consent = _consents[id];
            var reason =
                consent.RevokedAt is not null ? RefusalReason.Revoked
                : now >= consent.ExpiresAt ? RefusalReason.Expired
                : consent.Iin != request.Iin ? RefusalReason.OtherCitizen
                : consent.ClientId != request.ClientId ? RefusalReason.OtherClient
                : !string.Equals(consent.Purpose, request.Purpose, StringComparison.Ordinal) ? RefusalReason.OtherPurpose
                : !consent.Scopes.Contains(request.Scope) ? RefusalReason.ScopeNotGranted
                : RefusalReason.Unspecified;
            return new VerifyConsentResponse
            {
                Granted = reason == RefusalReason.Unspecified,
                Reason = reason,
                ConsentId = consent.Id,
                ExpireTime = Timestamp.FromDateTimeOffset(consent.ExpiresAt),
            };
        }
    }

    /// <summary>Revokes the citizen's consent (again: the first revocation's time).</summary>
    /// <exception cref="RpcException">NOT_FOUND CONSENT_NOT_FOUND: no such consent of this citizen.</exception>
    public RevokeConsentResponse Revoke(RevokeConsentRequest request)
    {
        TaskCompletionSource woken;
        DateTimeOffset revokedAt;
        lock (_gate)
        {
            if (!_consents.TryGetValue(request.ConsentId, out var consent) || consent.Iin != request.Iin)
            {
                throw RpcErrors.Build(StatusCode.NotFound, "This citizen has no consent of this id.",
                    new Google.Rpc.ResourceInfo { ResourceType = "consent.v1.Consent", ResourceName = request.ConsentId, Description = "This citizen has no consent of this id." },
                    RpcErrors.ErrorInfo(ErrorReasons.ConsentNotFound));
            }

            if (consent.RevokedAt is { } already)
            {
                return new RevokeConsentResponse { RevokeTime = Timestamp.FromDateTimeOffset(already) };
            }

            revokedAt = time.GetUtcNow();
            _consents[consent.Id] = consent with { RevokedAt = revokedAt };
            _revocations.Add(new WatchRevocationsResponse
            {
                Sequence = _revocations.Count + 1,
                ConsentId = consent.Id,
                RevokeTime = Timestamp.FromDateTimeOffset(revokedAt),
                ExpireTime = Timestamp.FromDateTimeOffset(consent.ExpiresAt),
            });
            woken = _revoked;
            _revoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
        return new RevokeConsentResponse { RevokeTime = Timestamp.FromDateTimeOffset(revokedAt) };
    }

    /// <summary>The revocations after <paramref name="afterSequence"/>, and a task that completes at the next one.</summary>
    public (IReadOnlyList<WatchRevocationsResponse> Since, Task Next) RevocationsAfter(long afterSequence)
    {
        lock (_gate)
        {
            var from = (int)Math.Min(Math.Max(afterSequence, 0), _revocations.Count);
            return ([.. _revocations.Skip(from)], _revoked.Task);
        }
    }

    // "+77011234512" → "+7 7** *** **12".
    private static string Mask(string phone) => $"+7 {phone[2]}** *** **{phone[^2..]}";

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class PendingRequest(RequestConsentRequest request, string code, DateTimeOffset codeExpiresAt)
    {
        public RequestConsentRequest Request { get; } = request;

        public string Code { get; } = code;

        public DateTimeOffset CodeExpiresAt { get; } = codeExpiresAt;

        public int Attempts { get; set; }
    }

    private sealed record GrantedConsent(string Id, string Iin, string ClientId, string OperatorId, string Purpose, IReadOnlyList<ConsentScope> Scopes, DateTimeOffset ExpiresAt)
    {
        public DateTimeOffset? RevokedAt { get; init; }
    }
}
