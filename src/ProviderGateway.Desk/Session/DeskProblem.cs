using Google.Rpc;
using Grpc.Core;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Desk.Localization;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Desk.Session;

/// <summary>
/// What went wrong with a call, for the operator: the gateway's localized message (google.rpc.LocalizedMessage, in the
/// language the console asked for), else the message of its ErrorInfo reason from the contracts' resources, else a
/// generic text per status code; each field violation's own localized message; when to try again (RetryInfo); and, for
/// a refusal for want of consent, the consent scopes missing.
/// </summary>
public sealed record DeskProblem(
    StatusCode Code,
    string Reason,
    string Message,
    IReadOnlyList<DeskProblem.Violation> Violations,
    TimeSpan? RetryAfter,
    IReadOnlyList<ConsentScope> MissingScopes)
{
    /// <summary>One field's problem.</summary>
    public sealed record Violation(string Field, string Reason, string Message);

    /// <summary>Whether the citizen's consent is what is missing.</summary>
    public bool NeedsConsent => Reason == "CONSENT_REQUIRED";

    /// <summary>The problem a failed call reports.</summary>
    public static DeskProblem From(RpcException failure, DeskText text) => From(failure.Status.StatusCode, failure.Status.Detail, failure.GetRpcStatus(), text);

    /// <summary>The problem a provider's status inside an answer reports (a source's status in the overview).</summary>
    public static DeskProblem From(Status status, DeskText text) => From((StatusCode)status.Code, status.Message, status, text);

    private static DeskProblem From(StatusCode code, string detail, Status? status, DeskText text)
    {
        string? localized = null;
        var reason = "";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var violations = new List<Violation>();
        var missing = new List<ConsentScope>();
        TimeSpan? retry = null;
        foreach (var any in status?.Details ?? [])
        {
            if (any.TryUnpack<LocalizedMessage>(out var message))
            {
                localized = message.Message;
            }
            else if (any.TryUnpack<ErrorInfo>(out var info))
            {
                reason = info.Reason;
                foreach (var (key, value) in info.Metadata)
                {
                    metadata[key] = value;
                }
            }
            else if (any.TryUnpack<BadRequest>(out var badRequest))
            {
                violations.AddRange(badRequest.FieldViolations.Select(v => new Violation(
                    v.Field,
                    v.Reason,
                    v.LocalizedMessage?.Message is { Length: > 0 } own ? own : text.Reason(v.Reason) ?? v.Description)));
            }
            else if (any.TryUnpack<RetryInfo>(out var retryInfo) && retryInfo.RetryDelay is { } delay)
            {
                retry = delay.ToTimeSpan();
            }
            else if (any.TryUnpack<PreconditionFailure>(out var precondition))
            {
                foreach (var violation in precondition.Violations.Where(v => v.Type == "CONSENT"))
                {
                    if (Enum.TryParse<ConsentScope>(violation.Subject.Replace("CONSENT_SCOPE_", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var scope))
                    {
                        missing.Add(scope);
                    }
                }
            }
        }

        var shown = localized
            ?? (reason.Length > 0 ? text.Reason(reason, metadata) : null)
            ?? text[$"Status.{code}"];
        return new DeskProblem(code, reason, shown, violations, retry, missing);
    }
}
