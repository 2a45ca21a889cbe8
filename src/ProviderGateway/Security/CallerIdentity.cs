using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.Validation;

namespace ProviderGateway.Security;

/// <summary>
/// Who is asking, for a call that passed access control: the client application, the operator at the desk and
/// the purpose of access. The pipeline passes all three on to providers as metadata.
/// </summary>
/// <param name="ClientId">The authenticated client.</param>
/// <param name="OperatorId">The operator's id (metadata <c>x-operator-id</c>); empty for calls that need none.</param>
/// <param name="Purpose">The purpose of access (metadata <c>x-access-purpose</c>); empty for calls that need none.</param>
public sealed record CallerIdentity(string ClientId, string OperatorId, string Purpose)
{
    /// <summary>The districts the client may see: what comes back from providers is filtered by them.</summary>
    public DistrictScope Districts { get; init; } = DistrictScope.Everywhere;

    /// <summary>
    /// The citizen's consent the call goes under (verified before the call's method ran), or <c>null</c> when the call
    /// needs none.
    /// </summary>
    public ConsentGrant? Consent { get; init; }

    /// <summary>The metadata key of the operator's id.</summary>
    public const string OperatorHeader = CallerMetadata.OperatorHeader;

    /// <summary>The metadata key of the purpose of access.</summary>
    public const string PurposeHeader = CallerMetadata.PurposeHeader;

    /// <summary>The metadata key naming the client, as passed on to providers.</summary>
    public const string ClientHeader = "x-client-id";

    /// <summary>The metadata passed on to providers: client, and operator and purpose when known.</summary>
    public Metadata ToProviderMetadata()
    {
        var headers = new Metadata { { ClientHeader, ClientId } };
        if (OperatorId.Length > 0)
        {
            headers.Add(OperatorHeader, OperatorId);
            headers.Add(PurposeHeader, Purpose);
        }

        return headers;
    }

    /// <summary>Reads the operator and purpose of a request (empty when absent); not validated.</summary>
    public static (string OperatorId, string Purpose) Read(IHeaderDictionary headers) =>
        (headers[OperatorHeader].Count == 1 ? headers[OperatorHeader][0] ?? "" : "", headers[PurposeHeader].Count == 1 ? headers[PurposeHeader][0] ?? "" : "");

    /// <summary>The value written to the journal for an operator id or purpose that is present but malformed.</summary>
    public const string InvalidMarker = "(invalid)";

    /// <summary>
    /// The operator and purpose of a request as a journal line may hold them: each as sent when well-formed, empty when
    /// absent, <see cref="InvalidMarker"/> otherwise (a caller's garbage is never written to the journal).
    /// </summary>
    public static (string OperatorId, string Purpose) ReadForJournal(IHeaderDictionary headers)
    {
        var (operatorId, purpose) = Read(headers);
        return (
            operatorId.Length == 0 || CallerMetadata.OperatorIdProblem(operatorId) is null ? operatorId : InvalidMarker,
            purpose.Length == 0 || CallerMetadata.PurposeProblem(purpose) is null ? purpose : InvalidMarker);
    }

    /// <summary>
    /// INVALID_ARGUMENT listing each missing or malformed one, or nothing when both are well-formed: an operator id
    /// is 1–64 of letters, digits and <c>. _ @ -</c>; a purpose is a code of 3–64 of a-z, 0-9, '-' and '_'.
    /// </summary>
    public static RpcException? Problems(string operatorId, string purpose)
    {
        var violations = new List<RpcErrors.Violation>();
        if (CallerMetadata.OperatorIdProblem(operatorId) is { } operatorProblem)
        {
            violations.Add(new(
                OperatorHeader,
                operatorId.Length == 0
                    ? "Personal-data calls must name the operator at the desk in metadata x-operator-id."
                    : "An operator id is 1 to 64 of letters, digits and '.', '_', '@', '-'.",
                operatorProblem));
        }

        if (CallerMetadata.PurposeProblem(purpose) is { } purposeProblem)
        {
            violations.Add(new(
                PurposeHeader,
                purpose.Length == 0
                    ? "Personal-data calls must state the purpose of access in metadata x-access-purpose (a code such as citizen-enquiry)."
                    : "A purpose is a code of 3 to 64 of a-z, 0-9, '-' and '_', such as citizen-enquiry.",
                purposeProblem));
        }

        return violations.Count == 0 ? null : RpcErrors.InvalidArgument(violations);
    }
}

/// <summary>A consent verified for one call: which consent, until when, and which domains' data it covers.</summary>
/// <param name="ConsentId">The consent's id at the authority, as the journal records it.</param>
/// <param name="ExpireTime">When the consent ends.</param>
/// <param name="Domains">
/// The provider domains whose data the call may read under it (for the overview, those of the scopes granted; a provider
/// of another domain is not asked). Empty for a call about no domain (the access history).
/// </param>
public sealed record ConsentGrant(string ConsentId, DateTimeOffset ExpireTime, IReadOnlySet<ProviderGateway.Contracts.FrontDesk.V1.Domain> Domains)
{
    /// <summary>Whether the consent covers data of <paramref name="domain"/>.</summary>
    public bool Covers(ProviderGateway.Contracts.FrontDesk.V1.Domain domain) => Domains.Contains(domain);
}
