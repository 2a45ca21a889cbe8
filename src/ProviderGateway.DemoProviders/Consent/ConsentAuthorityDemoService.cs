using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.DemoProviders.Consent;

/// <summary>
/// The demo consent authority's <c>providergateway.consent.v1.ConsentService</c>: validates every request as the contract
/// says (each malformed field a BadRequest violation), then asks the <see cref="DemoConsentLedger"/>. Codes are "sent" to
/// the ledger's outbox (<c>GET /demo/consent/outbox</c>) and logged as sent, the code itself only at Debug.
/// </summary>
public sealed partial class ConsentAuthorityDemoService(DemoConsentLedger ledger, ILogger<ConsentAuthorityDemoService> logger)
    : ConsentService.ConsentServiceBase
{
    private static readonly TimeSpan ShortestTerm = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestTerm = TimeSpan.FromDays(365);

    /// <inheritdoc />
    public override Task<RequestConsentResponse> RequestConsent(RequestConsentRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        violations.Iin("iin", request.Iin);
        ClientId(violations, "client_id", request.ClientId);
        Text(violations, "operator_id", request.OperatorId, 64);
        Text(violations, "purpose", request.Purpose, 200);
        if (request.Scopes.Count == 0)
        {
            violations.Add("scopes", "At least one kind of data is required.", "REQUIRED");
        }
        else if (request.Scopes.Any(s => s == ConsentScope.Unspecified || !Enum.IsDefined(s)))
        {
            violations.Add("scopes", "Each scope must be UTILITIES, LAND_REGISTRY, SOCIAL_SERVICES or ACCESS_HISTORY.", "UNKNOWN_VALUE");
        }
        else if (request.Scopes.Distinct().Count() != request.Scopes.Count)
        {
            violations.Add("scopes", "A scope is named twice.", "DUPLICATE_VALUE");
        }

        if (request.Term is null)
        {
            violations.Add("term", "The consent's term is required.", "REQUIRED");
        }
        else if (request.Term.Nanos < 0 || request.Term.Seconds < 0 || request.Term.ToTimeSpan() < ShortestTerm || request.Term.ToTimeSpan() > LongestTerm)
        {
            violations.Add("term", "The term must be from 1 minute to 365 days.", "OUT_OF_RANGE");
        }

        violations.ThrowIfAny();
        var response = ledger.Request(request);
        Log.CodeSent(logger, response.RequestId, response.MaskedDestination);
        Log.Code(logger, response.RequestId, ledger.CodeFor(response.RequestId) ?? "");
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override Task<ConfirmConsentResponse> ConfirmConsent(ConfirmConsentRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        Text(violations, "request_id", request.RequestId, 64);
        if (!CodeForm().IsMatch(request.Code))
        {
            violations.Add("code", "The code is 6 digits.", "INVALID_FORMAT");
        }

        violations.ThrowIfAny();
        var confirmed = ledger.Confirm(request);
        Log.Confirmed(logger, confirmed.ConsentId);
        return Task.FromResult(confirmed);
    }

    /// <inheritdoc />
    public override Task<VerifyConsentResponse> VerifyConsent(VerifyConsentRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        Text(violations, "consent_token", request.ConsentToken, 256);
        violations.Iin("iin", request.Iin);
        ClientId(violations, "client_id", request.ClientId);
        Text(violations, "purpose", request.Purpose, 200);
        if (request.Scope == ConsentScope.Unspecified || !Enum.IsDefined(request.Scope))
        {
            violations.Add("scope", "The scope must be UTILITIES, LAND_REGISTRY, SOCIAL_SERVICES or ACCESS_HISTORY.", "UNKNOWN_VALUE");
        }

        violations.ThrowIfAny();
        return Task.FromResult(ledger.Verify(request));
    }

    /// <inheritdoc />
    public override Task<RevokeConsentResponse> RevokeConsent(RevokeConsentRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        Text(violations, "consent_id", request.ConsentId, 64);
        violations.Iin("iin", request.Iin);
        violations.ThrowIfAny();
        var revoked = ledger.Revoke(request);
        Log.Revoked(logger, request.ConsentId);
        return Task.FromResult(revoked);
    }

    /// <inheritdoc />
    public override async Task WatchRevocations(WatchRevocationsRequest request, IServerStreamWriter<WatchRevocationsResponse> responseStream, ServerCallContext context)
    {
        if (request.AfterSequence < 0)
        {
            throw Contracts.Errors.RpcErrors.InvalidArgument("after_sequence", "The sequence is not negative (0: every revocation).", "OUT_OF_RANGE");
        }

        // Headers at once: the follower knows from them that the stream is open, and every later revocation will reach it.
        await context.WriteResponseHeadersAsync([]);
        var seen = request.AfterSequence;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var (since, next) = ledger.RevocationsAfter(seen);
            foreach (var notice in since)
            {
                await responseStream.WriteAsync(notice, context.CancellationToken);
                seen = notice.Sequence;
            }

            try
            {
                await next.WaitAsync(context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void ClientId(FieldViolations violations, string field, string value)
    {
        if (!ClientIdForm().IsMatch(value))
        {
            violations.Add(field, "A client id is 1 to 64 characters of a-z, 0-9, '-', '_' and '.'.", "INVALID_FORMAT");
        }
    }

    private static void Text(FieldViolations violations, string field, string value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(field, "It is required.", "REQUIRED");
        }
        else if (value.Length > maxLength || value.Any(char.IsControl))
        {
            violations.Add(field, $"It is at most {maxLength} printable characters.", "INVALID_FORMAT");
        }
    }

    [GeneratedRegex("^[a-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientIdForm();

    [GeneratedRegex("^[0-9]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeForm();

    private static partial class Log
    {
        [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Consent request {RequestId}: a code was sent by SMS to {MaskedPhone}")]
        public static partial void CodeSent(ILogger logger, string requestId, string maskedPhone);

        [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Consent request {RequestId}: the code is {Code} (demo only)")]
        public static partial void Code(ILogger logger, string requestId, string code);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Consent {ConsentId} confirmed")]
        public static partial void Confirmed(ILogger logger, string consentId);

        [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Consent {ConsentId} revoked")]
        public static partial void Revoked(ILogger logger, string consentId);
    }
}
