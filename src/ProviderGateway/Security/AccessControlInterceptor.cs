using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ProviderGateway.Security;

/// <summary>
/// Access control of the front-desk service, before anything is looked up: the call must have been classified
/// (<see cref="FrontDeskCalls"/>; PERMISSION_DENIED otherwise), its client authenticated (UNAUTHENTICATED), and
/// <see cref="AccessPolicy"/> must let it through (method, district and provider, operator and purpose). The access
/// journal's part is <see cref="AccessJournaling"/>'s, called here because its order is access control's: a refusal
/// of a personal-data call is journaled; a call let through is admitted against the journal's queue (UNAVAILABLE,
/// nothing written, when it is full) and then journaled with its outcome. Registered for the front-desk service only.
/// </summary>
public sealed class AccessControlInterceptor(AccessPolicy policy, AccessJournaling journaling) : Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Registered for the front-desk service only. The call was classified from the endpoint that was dispatched
        // (FrontDeskCalls), never from context.Method, which is the path as the caller spelt it; a call that was not
        // classified, or not at its exact path (refused earlier), never reaches a handler.
        var http = context.GetHttpContext();
        if (FrontDeskCalls.Of(http) is not { Canonical: true } call)
        {
            return Task.FromException<TResponse>(SecurityErrors.NotClassified());
        }

        var method = call.Method;
        if (call.Client is not { } client)
        {
            return Task.FromException<TResponse>(SecurityErrors.Unauthenticated(http.Request.Headers.ContainsKey(ClientAuthentication.ApiKeyHeader)));
        }

        // AUTHORISATION
        var (operatorId, purpose) = method.PersonalData ? CallerIdentity.Read(http.Request.Headers) : ("", "");
        if (policy.Refusal(client, method, request as IMessage, operatorId, purpose) is { } refusal)
        {
            journaling.Refused(call, http.Request.Headers, request as IMessage, refusal.StatusCode);
            return Task.FromException<TResponse>(refusal);
        }

        // ADMISSION: only a call that passed authorisation reserves room in the journal.
        if (method.PersonalData && !journaling.Admit())
        {
            return Task.FromException<TResponse>(SecurityErrors.JournalFull());
        }

        var caller = new CallerIdentity(client.Id, operatorId, purpose) { Districts = client.Scope };
        http.Features.Set(caller);

        // THE CALL, journaled with its outcome when it is about personal data.
        return method.PersonalData
            ? journaling.JournaledAsync(call, caller, request, context, continuation)
            : continuation(request, context);
    }
}
