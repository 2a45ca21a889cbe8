using Google.Protobuf;
using Grpc.Core;

namespace ProviderGateway.Security;

/// <summary>What access control decided about one front-desk call (<see cref="AccessControl.Decide"/>).</summary>
/// <param name="Refusal">The status the call is refused with (already journaled when it had to be); <c>null</c> when let through.</param>
/// <param name="Caller">Who the call is for, when let through.</param>
/// <param name="Journaled">True when the call is about personal data and its line is to be written when it is over (<see cref="AccessJournaling"/>).</param>
public readonly record struct AccessDecision(RpcException? Refusal, CallerIdentity? Caller, bool Journaled);

/// <summary>
/// Access control of the front-desk service, before anything is looked up: the call must have been classified
/// (<see cref="FrontDeskCalls"/>; PERMISSION_DENIED otherwise), its client authenticated (UNAUTHENTICATED), and
/// <see cref="AccessPolicy"/> must let it through (method, district and provider, operator and purpose). The access
/// journal's part is <see cref="AccessJournaling"/>'s, called here because its order is access control's: a refusal
/// of a personal-data call is journaled; a call let through is admitted against the journal's queue (UNAVAILABLE,
/// nothing written, when it is full) and then journaled with its outcome by the caller of <see cref="Decide"/>
/// (<c>FrontDesk/FrontDeskCallGuard</c>, around every front-desk method).
/// </summary>
public sealed class AccessControl(AccessPolicy policy, AccessJournaling journaling)
{
    private static readonly AccessDecision NotClassified = new(SecurityErrors.NotClassified(), null, false);

    /// <summary>Decides about the call of <paramref name="http"/> asking <paramref name="request"/>.</summary>
    public AccessDecision Decide(HttpContext http, IMessage? request)
    {
        // The call was classified from the endpoint that was dispatched (FrontDeskCalls), never from the path as the caller
        // spelt it; a call that was not classified, or not at its exact path (refused earlier), never reaches a handler.
        if (FrontDeskCalls.Of(http) is not { Canonical: true } call)
        {
            return NotClassified;
        }

        var method = call.Method;
        if (call.Client is not { } client)
        {
            return new(SecurityErrors.Unauthenticated(http.Request.Headers.ContainsKey(ClientAuthentication.ApiKeyHeader)), null, false);
        }

        // AUTHORISATION
        var (operatorId, purpose) = method.PersonalData ? CallerIdentity.Read(http.Request.Headers) : ("", "");
        if (policy.Refusal(client, method, request, operatorId, purpose) is { } refusal)
        {
            journaling.Refused(call, http.Request.Headers, request, refusal.StatusCode);
            return new(refusal, null, false);
        }

        // ADMISSION: only a call that passed authorisation reserves room in the journal.
        if (method.PersonalData && !journaling.Admit())
        {
            return new(SecurityErrors.JournalFull(), null, false);
        }

        var caller = new CallerIdentity(client.Id, operatorId, purpose) { Districts = client.Scope };
        http.Features.Set(caller);
        if (method.PersonalData)
        {
            // The line is this call's whatever happens next; nothing after the service may write another.
            call.TryClaimJournalLine();
        }

        return new(null, caller, method.PersonalData);
    }
}
