using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ProviderGateway.Audit;
using ProviderGateway.Configuration;
using ProviderGateway.Core;
using ProviderGateway.Errors;
using ProviderGateway.Providers;

namespace ProviderGateway.Security;

/// <summary>
/// Access control of the front-desk service, before anything is looked up: the client must be authenticated
/// (UNAUTHENTICATED), may call the method (PERMISSION_DENIED), may ask about the district and provider named
/// (PERMISSION_DENIED), and a personal-data call must name its operator and purpose (INVALID_ARGUMENT). Every
/// personal-data call of an authenticated client, refused or answered, cache hits and partial failures
/// included, is then recorded in the <see cref="AccessJournal"/>. Registered for the front-desk service only.
/// </summary>
public sealed class AccessControlInterceptor(
    ProviderRegistry registry,
    AccessJournal journal,
    SubjectHasher subjects,
    TimeProvider time) : Interceptor
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

        var (operatorId, purpose) = method.PersonalData ? CallerIdentity.Read(http.Request.Headers) : ("", "");
        var refusal = Authorize(client, method, request as IMessage)
            ?? (method.PersonalData ? CallerIdentity.Problems(operatorId, purpose) : null);
        if (refusal is null && method.PersonalData && !journal.Admit())
        {
            // Nothing is recorded for a call refused because the journal is full: there is no room to.
            return Task.FromException<TResponse>(SecurityErrors.JournalFull());
        }

        if (refusal is not null)
        {
            if (method.PersonalData && call.TryClaimJournalLine())
            {
                var (journaledOperator, journaledPurpose) = CallerIdentity.ReadForJournal(http.Request.Headers);
                journal.AppendRefusal(Record(client, journaledOperator, journaledPurpose, method, request as IMessage, [], refusal.StatusCode));
            }

            return Task.FromException<TResponse>(refusal);
        }

        http.Features.Set(new CallerIdentity(client.Id, operatorId, purpose) { Districts = client.Scope });
        if (!method.PersonalData)
        {
            return continuation(request, context);
        }

        call.TryClaimJournalLine();
        return JournaledAsync(request, context, continuation, client, method, operatorId, purpose);
    }

    private async Task<TResponse> JournaledAsync<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation,
        GatewayClient client,
        FrontDeskMethod method,
        string operatorId,
        string purpose)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            journal.Append(Record(client, operatorId, purpose, method, request as IMessage, AccessRecord.TouchesOf((IMessage)response), StatusCode.OK));
            return response;
        }
        catch (RpcException failure)
        {
            journal.Append(Record(client, operatorId, purpose, method, request as IMessage, AccessRecord.TouchesOf(failure), failure.StatusCode));
            throw;
        }
        catch (Exception)
        {
            // Becomes INTERNAL in UnexpectedFailureInterceptor; recorded as such.
            journal.Append(Record(client, operatorId, purpose, method, request as IMessage, [], StatusCode.Internal));
            throw;
        }
    }

    private RpcException? Authorize(GatewayClient client, FrontDeskMethod method, IMessage? request)
    {
        if (!client.MayCall(method))
        {
            return SecurityErrors.MethodNotPermitted(client.Id, method);
        }

        if (client.AllDistricts || !method.PersonalData || request is null)
        {
            return null;
        }

        var kato = StringField(request, "kato_code");
        var providerId = StringField(request, "provider_id");
        if (kato is null)
        {
            // A request without a district field (CreateBenefitApplication): the provider named must serve the
            // client's districts.
            return providerId is { Length: > 0 } && registry.Find(providerId) is { } named && client.Overlaps(named.KatoCodes)
                ? null
                : SecurityErrors.DistrictNotPermitted(client.Id, client.Districts, "name a provider serving them in provider_id.");
        }

        if (kato.Length == 0)
        {
            return SecurityErrors.DistrictNotPermitted(client.Id, client.Districts, "set kato_code to the citizen's district, one of these.");
        }

        if (!client.MayAsk(kato))
        {
            return SecurityErrors.DistrictNotPermitted(client.Id, client.Districts, "kato_code is outside them.");
        }

        return !string.IsNullOrEmpty(providerId) && registry.Find(providerId) is { } provider && !provider.Serves(kato)
            ? SecurityErrors.DistrictNotPermitted(client.Id, client.Districts, $"provider '{providerId}' does not serve district {kato}.")
            : null;
    }

    private AccessRecord Record(
        GatewayClient client, string operatorId, string purpose, FrontDeskMethod method, IMessage? request, IReadOnlyList<ProviderTouch> touches, StatusCode result)
    {
        var (kind, subject) = request is null ? ("", "")
            : StringField(request, "iin") is { Length: > 0 } iin ? ("iin", subjects.Hash(iin))
            : StringField(request, "cadastral_number") is { Length: > 0 } parcel ? ("cadastral_number", subjects.Hash(parcel))
            : ("", "");
        return new AccessRecord(time.GetUtcNow(), client.Id, operatorId, purpose, method.Name, kind, subject, touches, GrpcStatusNames.Name(result));
    }

    private static string? StringField(IMessage message, string name) =>
        message.Descriptor.FindFieldByName(name) is { FieldType: FieldType.String, IsRepeated: false } field
            ? (string)field.Accessor.GetValue(message)
            : null;
}
