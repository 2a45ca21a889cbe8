using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using ProviderGateway.Core;
using ProviderGateway.Providers;

namespace ProviderGateway.Security;

/// <summary>
/// The authorisation of a front-desk call of an authenticated client, decided from the call alone (no I/O, no clock,
/// nothing recorded): the client may call the method (PERMISSION_DENIED <c>METHOD_NOT_PERMITTED</c>), may ask about
/// the district and provider the request names (PERMISSION_DENIED <c>DISTRICT_NOT_PERMITTED</c>), and a
/// personal-data call names its operator and purpose (INVALID_ARGUMENT). <see cref="AccessControl"/>
/// applies it; refusals of unclassified or unauthenticated calls come before it.
/// </summary>
public sealed class AccessPolicy(ProviderRegistry registry)
{
    /// <summary>
    /// The refusal of a call of <paramref name="method"/> by <paramref name="client"/>, or <c>null</c> when it may go
    /// on. <paramref name="operatorId"/> and <paramref name="purpose"/> are as sent (<see cref="CallerIdentity.Read"/>);
    /// they are checked for personal-data methods only.
    /// </summary>
    public RpcException? Refusal(GatewayClient client, FrontDeskMethod method, IMessage? request, string operatorId, string purpose) =>
        Authorize(client, method, request) ?? (method.PersonalData ? CallerIdentity.Problems(operatorId, purpose) : null);

    private RpcException? Authorize(GatewayClient client, FrontDeskMethod method, IMessage? request)
    {
        if (!client.MayCall(method))
        {
            return SecurityErrors.MethodNotPermitted(client.Id, method);
        }

        // Submissions carry their district in the store: GetSubmission, ListSubmissions and CancelSubmission show a client only
        // those of its districts (Delivery/SubmissionDesk), whatever the request names.
        // Consent and access history are about a citizen, not a district: a desk may ask for the consent, or the history,
        // of a citizen of anywhere.
        if (client.AllDistricts || !method.PersonalData || request is null || method.Group is "submissions" or "consent" or "access_history")
        {
            return null;
        }

        var kato = RequestFields.String(request, "kato_code");
        var providerId = RequestFields.String(request, "provider_id");
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
}

/// <summary>Reads a request's fields by name, whatever its message type.</summary>
internal static class RequestFields
{
    // Each message type's singular string field of each name asked for, looked up once: FindFieldByName builds the field's
    // full name to search the descriptor pool, a string per lookup, and access control and the journal ask on every call.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(MessageDescriptor, string), FieldDescriptor?> Fields = new();

    /// <summary>The value of the singular string field <paramref name="name"/>; <c>null</c> when the message has none.</summary>
    public static string? String(IMessage message, string name) =>
        Fields.GetOrAdd((message.Descriptor, name), static key =>
            key.Item1.FindFieldByName(key.Item2) is { FieldType: FieldType.String, IsRepeated: false } field ? field : null) is { } found
            ? (string)found.Accessor.GetValue(message)
            : null;
}
