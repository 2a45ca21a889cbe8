using Grpc.Core;
using ProviderGateway.Audit;
using ProviderGateway.Core;
using ProviderGateway.Errors;

namespace ProviderGateway.Security;

/// <summary>
/// Journals the personal-data calls of authenticated clients that were refused before the front-desk service ran
/// (rate limit, a mis-spelt path, a malformed or oversized message): one line each, as for a refusal of access control.
/// The request was not read, so the line names no subject; operator and purpose are written only when well-formed.
/// </summary>
public static class AccessJournaling
{
    /// <summary>Journals the refusal of <paramref name="call"/> with <paramref name="code"/>, unless it has its line already.</summary>
    public static void JournalRefusal(HttpContext context, FrontDeskCall call, StatusCode code)
    {
        if (!call.Method.PersonalData || call.Client is not { } client || !call.TryClaimJournalLine())
        {
            return;
        }

        var services = context.RequestServices;
        var (operatorId, purpose) = CallerIdentity.ReadForJournal(context.Request.Headers);
        var record = new AccessRecord(
            services.GetRequiredService<TimeProvider>().GetUtcNow(),
            client.Id,
            operatorId,
            purpose,
            call.Method.Name,
            SubjectKind: "",
            Subject: "",
            Providers: [],
            GrpcStatusNames.Name(code));
        services.GetRequiredService<AccessJournal>().AppendRefusal(record);
    }
}
