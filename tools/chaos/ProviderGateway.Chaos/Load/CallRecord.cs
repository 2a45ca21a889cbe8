using Grpc.Core;
using ProviderGateway.Contracts.FrontDesk.V1;

namespace ProviderGateway.Chaos.Load;

/// <summary>One source of an answer as the desk saw it.</summary>
/// <param name="ProviderId">The provider.</param>
/// <param name="Code">Its google.rpc.Status code (0 = OK).</param>
/// <param name="Reason">The reason of its ErrorInfo, when it carries one.</param>
/// <param name="Freshness">LIVE, CACHED or STALE.</param>
public sealed record SourceRecord(string ProviderId, int Code, string? Reason, Freshness Freshness)
{
    /// <summary>Whether it carries an ErrorInfo.</summary>
    public bool HasErrorInfo => Reason is not null;

    /// <summary>For reports: <c>teplo-service DEADLINE_EXCEEDED/PROVIDER_DEADLINE_EXCEEDED STALE</c>.</summary>
    public override string ToString() =>
        $"{ProviderId} {(StatusCode)Code}{(Reason is null ? "" : "/" + Reason)} {Freshness.ToString().ToUpperInvariant()}";
}

/// <summary>A meter-reading write the desk sent.</summary>
/// <param name="ProviderId">The provider of the account.</param>
/// <param name="Request">The request, request_id included, as sent (kept to replay it at the provider).</param>
/// <param name="ReadingId">The reading the desk was given, when the write was answered OK.</param>
public sealed record WriteRecord(string ProviderId, Contracts.Utilities.V1.CreateMeterReadingRequest Request, string? ReadingId);

/// <summary>
/// One desk call as the desk saw it: what, where, when, how it ended and how long it took. Citizens and accounts
/// are named by their index in the seed, never by IIN or account number.
/// </summary>
/// <param name="Worker">The desk worker.</param>
/// <param name="Method">The front-desk method.</param>
/// <param name="Gateway">A or B.</param>
/// <param name="Start">When it was sent, from the start of the load.</param>
/// <param name="Elapsed">Until the desk had the answer (status and trailers) or gave up.</param>
/// <param name="Code">The status.</param>
/// <param name="Reason">The ErrorInfo reason of an error status.</param>
/// <param name="FromGateway">
/// Whether the status came from the gateway; false when the desk's client made it up (no connection, a connection
/// reset, the desk giving up at its own wait).
/// </param>
/// <param name="Detail">The status detail of an error (for reports).</param>
/// <param name="NoCache">Sent with <c>cache-control: no-cache</c>.</param>
/// <param name="Subject">What was asked about, by seed index: <c>citizen #3</c>, <c>account #12</c>.</param>
/// <param name="Sources">The answer's sources (overview results, listing sources, a single call's source).</param>
/// <param name="Complete">An overview's <c>complete</c>.</param>
/// <param name="Write">A write's request and reading.</param>
public sealed record CallRecord(
    int Worker,
    string Method,
    string Gateway,
    TimeSpan Start,
    TimeSpan Elapsed,
    StatusCode Code,
    string? Reason,
    bool FromGateway,
    string? Detail,
    bool NoCache,
    string Subject,
    IReadOnlyList<SourceRecord> Sources,
    bool? Complete,
    WriteRecord? Write)
{
    /// <summary>When the desk had the answer, from the start of the load.</summary>
    public TimeSpan End => Start + Elapsed;

    /// <summary>For reports: <c>GetCitizenOverview on B at 12.345 s (citizen #3, no-cache): DEADLINE_EXCEEDED/… after 3,120 ms</c>.</summary>
    public override string ToString() =>
        $"{Method} on {Gateway} at {Start.TotalSeconds:F3} s ({Subject}{(NoCache ? ", no-cache" : "")}): {Code}{(Reason is null ? "" : "/" + Reason)}"
        + $"{(FromGateway ? "" : " (desk-side)")} after {Elapsed.TotalMilliseconds:F0} ms";
}
