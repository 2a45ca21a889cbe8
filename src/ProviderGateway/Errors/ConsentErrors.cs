using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Core;

namespace ProviderGateway.Errors;

/// <summary>The statuses of the consent check, each with its ErrorInfo (and, for a refusal, the missing scopes).</summary>
public static class ConsentErrors
{
    /// <summary>No token came with the call.</summary>
    public const string MissingToken = "MISSING_TOKEN";

    /// <summary>A token that is not one (too long, or not printable ASCII): the authority is not asked.</summary>
    public const string MalformedToken = "MALFORMED_TOKEN";

    /// <summary>
    /// Every reason a <see cref="ErrorReasons.ConsentRequired"/> refusal may give in its metadata <c>refusal</c> (and the
    /// journal after <c>CONSENT_REQUIRED:</c>): the gateway's own and <see cref="RefusalReason"/>'s names.
    /// </summary>
    public static readonly IReadOnlySet<string> Refusals = new HashSet<string>(
        [MissingToken, MalformedToken, .. ConsentReflection.Descriptor.EnumTypes.First(e => e.Name == nameof(RefusalReason)).Values.Where(v => v.Number != 0).Select(v => v.Name.Replace("REFUSAL_REASON_", "", StringComparison.Ordinal))],
        StringComparer.Ordinal);

    /// <summary>
    /// The journal's reason of a consent failure (<c>CONSENT_REQUIRED:EXPIRED</c>, <c>CONSENT_AUTHORITY_UNAVAILABLE</c>), or
    /// <c>null</c> for any other status: only the gateway's own fixed codes, never a provider's or a caller's text.
    /// </summary>
    public static string? JournalReasonOf(RpcException failure)
    {
        if (failure.StatusCode is not (StatusCode.PermissionDenied or StatusCode.Unavailable)
            || failure.GetRpcStatus()?.GetDetail<ErrorInfo>() is not { Domain: RpcErrors.Domain } info)
        {
            return null;
        }

        return info.Reason switch
        {
            ErrorReasons.ConsentRequired when info.Metadata.TryGetValue("refusal", out var refusal) && Refusals.Contains(refusal) => $"{ErrorReasons.ConsentRequired}:{refusal}",
            ErrorReasons.ConsentAuthorityUnavailable => ErrorReasons.ConsentAuthorityUnavailable,
            _ => null,
        };
    }

    /// <summary>PERMISSION_DENIED <c>CONSENT_REQUIRED</c>: no consent grants <paramref name="scopes"/>, for <paramref name="refusal"/>.</summary>
    public static RpcException Required(string refusal, IReadOnlyList<ConsentScope> scopes)
    {
        var names = scopes.Select(ConsentScopes.NameOf).ToList();
        var message = $"This call needs the citizen's consent for {string.Join(", ", names)}: {Explain(refusal)}";
        var failure = new PreconditionFailure();
        foreach (var name in names)
        {
            failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = "CONSENT", Subject = name, Description = Explain(refusal) });
        }

        return RpcErrors.Build(
            StatusCode.PermissionDenied,
            message,
            failure,
            RpcErrors.ErrorInfo(ErrorReasons.ConsentRequired, new() { ["refusal"] = refusal, ["scopes"] = string.Join(",", names) }));
    }

    /// <summary>The PERMISSION_DENIED status of a provider the overview did not ask because the consent does not cover its domain.</summary>
    public static Google.Rpc.Status NotCovered(string providerId, ConsentScope scope) => new()
    {
        Code = (int)StatusCode.PermissionDenied,
        Message = $"Not asked: the citizen's consent does not cover {ConsentScopes.NameOf(scope)}.",
        Details =
        {
            Any.Pack(new PreconditionFailure { Violations = { new PreconditionFailure.Types.Violation { Type = "CONSENT", Subject = ConsentScopes.NameOf(scope), Description = "The consent does not cover this kind of data." } } }),
            Any.Pack(RpcErrors.ErrorInfo(ErrorReasons.ConsentRequired, new() { ["refusal"] = "SCOPE_NOT_GRANTED", ["scopes"] = ConsentScopes.NameOf(scope), ["provider_id"] = providerId })),
        },
    };

    /// <summary>UNAVAILABLE <c>CONSENT_AUTHORITY_UNAVAILABLE</c>: the consent could not be verified, so nothing was read.</summary>
    public static RpcException AuthorityUnavailable(string why) =>
        RpcErrors.Build(
            StatusCode.Unavailable,
            $"The citizen's consent could not be verified ({why}); nothing was read. Retry shortly.",
            RpcErrors.ErrorInfo(ErrorReasons.ConsentAuthorityUnavailable),
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

    private static string Explain(string refusal) => refusal switch
    {
        MissingToken => "send the consent token in metadata x-consent-token (RequestConsent, then ConfirmConsent with the citizen's code).",
        MalformedToken => "x-consent-token is not a consent token.",
        "UNKNOWN_TOKEN" => "the consent authority does not know this token.",
        "EXPIRED" => "the consent has expired; request consent again.",
        "REVOKED" => "the citizen revoked this consent.",
        "OTHER_CITIZEN" => "the consent is another citizen's.",
        "OTHER_CLIENT" => "the consent was given to another client.",
        "OTHER_PURPOSE" => "the consent was given for another purpose (x-access-purpose).",
        "SCOPE_NOT_GRANTED" => "the consent does not cover this kind of data.",
        _ => "the consent does not grant this access.",
    };
}
