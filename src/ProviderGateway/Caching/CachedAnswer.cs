using Google.Protobuf;
using Status = Google.Rpc.Status;

namespace ProviderGateway.Caching;

/// <summary>
/// A provider's answer as the cache holds it: either the response message or a definitive error
/// (an answer such as NOT_FOUND, as opposed to a failure), and when it was fetched from the provider.
/// The memory level holds this object itself, shared by every caller: nobody may change the message.
/// </summary>
public sealed record CachedAnswer
{
    /// <summary>The provider's response; <c>null</c> for a definitive error.</summary>
    public IMessage? Response { get; init; }

    /// <summary>The provider's definitive error, mapped for the desk; <c>null</c> for a response.</summary>
    public Status? DefinitiveError { get; init; }

    /// <summary>
    /// The provider's refusal (PERMISSION_DENIED, UNAUTHENTICATED), mapped for the desk: handed back to the caller whose
    /// call was refused and never stored; <c>null</c> otherwise.
    /// </summary>
    public Status? Refusal { get; init; }

    /// <summary>When the answer was fetched from the provider.</summary>
    public required DateTimeOffset FetchTime { get; init; }

    /// <summary>
    /// When this very answer (the same message or error) was last written to the shared level (Redis) and announced to
    /// the other instances; the fetch time unless a later fetch found it unchanged (<see cref="ConfirmedAt"/>). Memory only:
    /// Redis holds the fetch time, which is this for what it holds.
    /// </summary>
    public DateTimeOffset SharedAt
    {
        get => field == default ? FetchTime : field;
        init;
    }

    /// <summary>Whether <paramref name="other"/> is the same answer (message or error), whenever each was fetched.</summary>
    public bool IsSameAnswerAs(CachedAnswer other) =>
        Refusal is null && other.Refusal is null && Equals(Response, other.Response) && Equals(DefinitiveError, other.DefinitiveError);

    /// <summary>
    /// <paramref name="fresh"/>, a later fetch of this same answer, remembering when this one reached the shared level:
    /// the memory level gets the new fetch time while Redis keeps the copy it has.
    /// </summary>
    public CachedAnswer ConfirmedAt(CachedAnswer fresh) => fresh with { SharedAt = SharedAt };

    /// <summary>A response fetched at <paramref name="fetchTime"/>.</summary>
    public static CachedAnswer Of(IMessage response, DateTimeOffset fetchTime) => new() { Response = response, FetchTime = fetchTime };

    /// <summary>A provider's refusal at <paramref name="fetchTime"/>: never stored.</summary>
    public static CachedAnswer OfRefusal(Status refusal, DateTimeOffset fetchTime) => new() { Refusal = refusal, FetchTime = fetchTime };

    /// <summary>A definitive error answered at <paramref name="fetchTime"/>.</summary>
    public static CachedAnswer OfError(Status error, DateTimeOffset fetchTime) => new() { DefinitiveError = error, FetchTime = fetchTime };
}
