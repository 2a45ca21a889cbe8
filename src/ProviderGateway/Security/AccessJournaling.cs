using Google.Protobuf;
using Grpc.Core;
using ProviderGateway.Audit;
using ProviderGateway.Core;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// Writes the access journal's line of each personal-data call of an authenticated client, one per call
/// (<see cref="FrontDeskCall.TryClaimJournalLine"/>), with the status the desk receives: the answer of a call access
/// control let through (<see cref="JournaledAsync"/>, after <see cref="Admit"/> reserved its room), or the refusal
/// of one it refused (<see cref="Refused"/>). Calls refused before the front-desk service ran (rate limit, a
/// mis-spelt path, a malformed or oversized message) are journaled through <see cref="JournalRefusal"/>; the request
/// was not read, so their line names no subject. Operator and purpose are written only when well-formed.
/// </summary>
public sealed class AccessJournaling(AccessJournal journal, SubjectHasher subjects, TimeProvider time)
{
    /// <summary>
    /// Whether a personal-data call that passed access control may start: false when the journal's queue is full and
    /// its policy is to refuse (the call is then refused UNAVAILABLE, and nothing is written: there is no room to).
    /// Otherwise room for the call's line is reserved.
    /// </summary>
    public bool Admit() => journal.Admit();

    /// <summary>
    /// Journals the refusal of <paramref name="call"/> with <paramref name="code"/>: only a personal-data call of an
    /// authenticated client, and only when it has no line yet. <paramref name="request"/> (when it was read) gives the
    /// line its subject.
    /// </summary>
    public void Refused(FrontDeskCall call, IHeaderDictionary headers, IMessage? request, StatusCode code)
    {
        if (!call.Method.PersonalData || call.Client is not { } client || !call.TryClaimJournalLine())
        {
            return;
        }

        var (operatorId, purpose) = CallerIdentity.ReadForJournal(headers);
        journal.AppendRefusal(Record(client.Id, operatorId, purpose, call.Method, request, [], code));
    }

    /// <summary>
    /// Journals an admitted personal-data call (<see cref="Admit"/>) that was answered, with the providers its answer
    /// names (their sources).
    /// </summary>
    public void Answered(FrontDeskCall call, CallerIdentity caller, IMessage? request, IMessage response)
    {
        var record = Record(caller.ClientId, caller.OperatorId, caller.Purpose, call.Method, request, AccessRecord.TouchesOf(response), StatusCode.OK) with
        {
            Consent = ConsentOf(caller),
        };
        journal.Append(AccessRecord.SubmissionOf(response) is { } submission ? record with { Submission = submission } : record);
    }

    /// <summary>
    /// Journals an admitted personal-data call that failed, with the status the desk receives (<paramref name="failure"/>,
    /// unexpected failures already translated) and the provider its ErrorInfo names.
    /// </summary>
    public void Failed(FrontDeskCall call, CallerIdentity caller, IMessage? request, RpcException failure) =>
        journal.Append(Record(caller.ClientId, caller.OperatorId, caller.Purpose, call.Method, request, AccessRecord.TouchesOf(failure), failure.StatusCode) with
        {
            Consent = ConsentOf(caller),
            Reason = ConsentErrors.JournalReasonOf(failure),
        });

    private static string? ConsentOf(CallerIdentity caller) => caller.Consent is { ConsentId.Length: > 0 } grant ? grant.ConsentId : null;

    /// <summary>
    /// Journals the refusal of <paramref name="call"/> with <paramref name="code"/> before the front-desk service ran
    /// (its request unread), unless it has its line already.
    /// </summary>
    public static void JournalRefusal(HttpContext context, FrontDeskCall call, StatusCode code)
    {
        if (call.Method.PersonalData && call.Client is not null)
        {
            context.RequestServices.GetRequiredService<AccessJournaling>().Refused(call, context.Request.Headers, request: null, code);
        }
    }

    private AccessRecord Record(
        string clientId, string operatorId, string purpose, FrontDeskMethod method, IMessage? request, IReadOnlyList<ProviderTouch> touches, StatusCode result)
    {
        var (kind, subject) = request is null ? ("", "")
            : RequestFields.String(request, "iin") is { Length: > 0 } iin ? ("iin", subjects.Hash(iin))
            : RequestFields.String(request, "cadastral_number") is { Length: > 0 } parcel ? ("cadastral_number", subjects.Hash(parcel))
            : ("", "");
        return new AccessRecord(time.GetUtcNow(), clientId, operatorId, purpose, method.Name, kind, subject, touches, GrpcStatusNames.Name(result));
    }
}
