using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Errors;

namespace ProviderGateway.Audit;

/// <summary>What one provider contributed to an access: its id, its result code and where the answer came from.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="Code">Its gRPC code name, for example <c>OK</c> or <c>UNAVAILABLE</c>.</param>
/// <param name="Origin"><c>LIVE</c>, <c>CACHED</c>, <c>STALE</c>, or empty when it gave no data.</param>
public sealed record ProviderTouch(string ProviderId, string Code, string Origin);

/// <summary>One personal-data access, as the journal records it. Holds no identifier in clear.</summary>
/// <param name="Time">When the call was answered.</param>
/// <param name="ClientId">The authenticated client.</param>
/// <param name="OperatorId">The operator at the desk (empty when the call was refused for lacking it).</param>
/// <param name="Purpose">The purpose of access (empty when the call was refused for lacking it).</param>
/// <param name="Method">The front-desk method.</param>
/// <param name="SubjectKind"><c>iin</c> or <c>cadastral_number</c>: what <paramref name="Subject"/> is a keyed hash of.</param>
/// <param name="Subject">HMAC-SHA256 of the citizen's IIN (or the parcel's cadastral number), lowercase hex; empty when the request had none.</param>
/// <param name="Providers">The providers touched, with their results (cache hits included).</param>
/// <param name="Result">The gRPC code name the desk received.</param>
public sealed record AccessRecord(
    DateTimeOffset Time,
    string ClientId,
    string OperatorId,
    string Purpose,
    string Method,
    string SubjectKind,
    string Subject,
    IReadOnlyList<ProviderTouch> Providers,
    string Result)
{
    /// <summary>The durable submission the line is about (its acceptance or one of its delivery attempts); <c>null</c> for none.</summary>
    public string? Submission { get; init; }

    /// <summary>The citizen's consent the call went under (its id at the consent authority); <c>null</c> for none.</summary>
    public string? Consent { get; init; }

    /// <summary>
    /// Why the gateway refused the call, when it names a reason beyond the code (for example <c>CONSENT_REQUIRED:EXPIRED</c>);
    /// <c>null</c> otherwise. A fixed code of the gateway's, never the caller's text.
    /// </summary>
    public string? Reason { get; init; }

    // Each response type's message fields, in field-number order, found once (not on every journaled call).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> MessageFields = new();

    /// <summary>The providers whose results a front-desk response carries (its <c>source</c>, <c>sources</c> or overview <c>results</c>).</summary>
    public static IReadOnlyList<ProviderTouch> TouchesOf(IMessage response)
    {
        var touches = new List<ProviderTouch>(1);
        var fields = MessageFields.GetOrAdd(response.Descriptor, static d => [.. d.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message)]);
        foreach (var field in fields)
        {
            var value = field.Accessor.GetValue(response);
            if (!field.IsRepeated)
            {
                AddTouch(touches, value);
                continue;
            }

            foreach (var item in (System.Collections.IEnumerable)value)
            {
                AddTouch(touches, item);
            }
        }

        return touches;
    }

    // Each response type's "submission" field (a write's receipt), found once; null when it has none.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> SubmissionFields = new();

    /// <summary>The id of the submission a write's response carries (it was stored to deliver later), or <c>null</c>.</summary>
    public static string? SubmissionOf(IMessage response)
    {
        var field = SubmissionFields.GetOrAdd(response.Descriptor, static d => d.FindFieldByName("submission") is { FieldType: FieldType.Message, IsRepeated: false } f && f.MessageType == Contracts.FrontDesk.V1.Submission.Descriptor ? f : null);
        return field?.Accessor.GetValue(response) is Contracts.FrontDesk.V1.Submission { SubmissionId.Length: > 0 } submission
            ? submission.SubmissionId
            : null;
    }

    private static void AddTouch(List<ProviderTouch> touches, object? item)
    {
        var source = item switch
        {
            SourceStatus s => s,
            ProviderResult r => r.Source,
            _ => null,
        };
        if (source is not null)
        {
            touches.Add(Touch(source));
        }
    }

    /// <summary>The provider a failed call names in its ErrorInfo (<c>provider_id</c>), if any.</summary>
    public static IReadOnlyList<ProviderTouch> TouchesOf(RpcException failure)
    {
        var info = failure.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>();
        return info is not null && info.Metadata.TryGetValue("provider_id", out var provider)
            ? [new ProviderTouch(provider, GrpcStatusNames.Name(failure.StatusCode), "")]
            : [];
    }

    private static ProviderTouch Touch(SourceStatus source)
    {
        var code = GrpcStatusNames.Name((StatusCode)(source.Status?.Code ?? 0));
        var origin = source.Freshness switch
        {
            Freshness.Live => "LIVE",
            Freshness.Cached => "CACHED",
            Freshness.Stale => "STALE",
            _ => "",
        };
        return new ProviderTouch(source.ProviderId, code, origin);
    }
}
