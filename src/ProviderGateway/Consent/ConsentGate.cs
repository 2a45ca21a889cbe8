using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.Routing;
using ProviderGateway.Security;
using ProviderGateway.Validation;

namespace ProviderGateway.Consent;

/// <summary>
/// The consent check of a front-desk call, after access control let it through and before its method runs (so before
/// any cache or provider is asked): the call's client needs the citizen's consent for the method
/// (<see cref="GatewayClient.RequiresConsentFor"/>, or the access history for any client but a data-protection officer),
/// so the request is validated, its consent token (metadata <c>x-consent-token</c>) is verified for the citizen it
/// names, the client, the purpose and each scope the call reads (<see cref="ConsentVerifier"/>), and the call goes on
/// under the grant or is refused: PERMISSION_DENIED <c>CONSENT_REQUIRED</c> naming the refusal and the missing scopes,
/// UNAVAILABLE <c>CONSENT_AUTHORITY_UNAVAILABLE</c> when the authority did not answer. The overview is let through when
/// the consent covers at least one of the domains it would ask; it does not ask the others.
/// </summary>
public sealed class ConsentGate(IServiceProvider services, FrontDeskRequestValidator validator, ProviderRouter router, ILogger<ConsentGate> logger)
{
    /// <summary>The metadata key of the consent token.</summary>
    public const string TokenHeader = "x-consent-token";

    private const int LongestToken = 512;

    private readonly ConsentVerifier? _verifier = services.GetService<ConsentVerifier>();

    /// <summary>Whether a call of <paramref name="method"/> by <paramref name="client"/> needs the citizen's consent.</summary>
    public static bool Applies(GatewayClient client, FrontDeskMethod method) =>
        client.RequiresConsentFor(method) || (method.Group == "access_history" && !client.DataProtectionOfficer);

    /// <summary>
    /// Verifies the consent of a call that needs it (<see cref="Applies"/>) and returns its grant.
    /// </summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT, PERMISSION_DENIED <c>CONSENT_REQUIRED</c> or UNAVAILABLE.</exception>
    public async Task<ConsentGrant> CheckAsync(HttpContext http, FrontDeskMethod method, IMessage request, CallerIdentity caller)
    {
        // A malformed request is refused as the method would refuse it, before the authority hears of it.
        validator.ValidateAny(request);
        var iin = RequestFields.String(request, "iin") ?? "";
        if (iin.Length == 0)
        {
            // GetParcel names its citizen only when consent is needed.
            throw Contracts.Errors.RpcErrors.InvalidArgument(
                "iin", "iin is required: this client needs the citizen's consent for this call, and the consent is the citizen's whose IIN this is.", "CONSENT_CITIZEN_MISSING");
        }

        var scopes = ScopesOf(method, request);
        var headers = http.Request.Headers[TokenHeader];
        if (headers.Count == 0 || string.IsNullOrEmpty(headers[0]))
        {
            throw Refuse(caller, ConsentErrors.MissingToken, scopes);
        }

        var token = headers[0]!;
        if (headers.Count > 1 || token.Length > LongestToken || !token.All(c => c is > ' ' and < '\u007f'))
        {
            throw Refuse(caller, ConsentErrors.MalformedToken, scopes);
        }

        if (scopes.Count == 0)
        {
            // An overview of a district no provider serves reads nothing.
            return new ConsentGrant("", DateTimeOffset.MaxValue, new HashSet<Domain>());
        }

        if (_verifier is null)
        {
            throw ConsentErrors.AuthorityUnavailable("no consent authority is configured");
        }

        // Every scope asked at once (each completes at once from memory), then collected.
        var pending = new ValueTask<ConsentCheck>[scopes.Count];
        for (var i = 0; i < scopes.Count; i++)
        {
            pending[i] = _verifier.VerifyAsync(token, iin, caller.ClientId, caller.Purpose, scopes[i], http.RequestAborted);
        }

        var checks = new ConsentCheck[scopes.Count];
        for (var i = 0; i < scopes.Count; i++)
        {
            checks[i] = await pending[i].ConfigureAwait(false);
        }

        if (checks.Any(c => c.Verdict == ConsentVerdict.Unavailable))
        {
            throw ConsentErrors.AuthorityUnavailable("the consent authority did not answer");
        }

        var granted = new HashSet<Domain>();
        ConsentCheck? first = null;
        var missing = new List<ConsentScope>();
        for (var i = 0; i < scopes.Count; i++)
        {
            if (checks[i].Verdict == ConsentVerdict.Granted)
            {
                first ??= checks[i];
                if (ConsentScopes.DomainOf(scopes[i]) is { } domain)
                {
                    granted.Add(domain);
                }
            }
            else
            {
                missing.Add(scopes[i]);
            }
        }

        if (first is not { } grant)
        {
            // The first scope's reason: the others' are the same unless only the scope differs.
            var refusal = checks.Select(c => c.Refusal).FirstOrDefault(r => r != "SCOPE_NOT_GRANTED") ?? "SCOPE_NOT_GRANTED";
            throw Refuse(caller, refusal, missing);
        }

        return new ConsentGrant(grant.ConsentId, checks.Where(c => c.Verdict == ConsentVerdict.Granted).Min(c => c.ExpireTime), granted);
    }

    // The overview reads the domains of the providers it would ask; any other method its group's scope.
    private List<ConsentScope> ScopesOf(FrontDeskMethod method, IMessage request)
    {
        if (ConsentScopes.Of(method) is { } scope)
        {
            return [scope];
        }

        var kato = RequestFields.String(request, "kato_code");
        return [.. router.FanOut(Domain.Unspecified, string.IsNullOrEmpty(kato) ? null : kato).Select(p => p.Domain).Distinct().Order().Select(ConsentScopes.Of)];
    }

    private RpcException Refuse(CallerIdentity caller, string refusal, IReadOnlyList<ConsentScope> scopes)
    {
        ConsentLog.Refused(logger, caller.ClientId, refusal);
        return ConsentErrors.Required(refusal, scopes);
    }
}
