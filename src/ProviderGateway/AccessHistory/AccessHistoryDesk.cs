using System.Data.Common;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProviderGateway.Audit;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Paging;
using ProviderGateway.Security;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// A citizen's access history for the front desk (<c>ListDataAccesses</c>): one citizen's accesses in a time range from the
/// index, newest first, paged by a signed token bound to the caller, the citizen and the range. A client hidden from the
/// subject (<see cref="GatewayClient.HiddenFromSubjectUntil"/> after today, in Kazakhstan, on the gateway's clock) is left out
/// unless the caller is a data-protection officer, who sees its accesses marked. Names and hiding come from the
/// configuration as it is when the history is read; nothing of them is stored. Before the index's start-up rebuild is
/// done a listing waits for it (a few seconds at most, then UNAVAILABLE), so that it never answers from half an index.
/// </summary>
public sealed class AccessHistoryDesk(AccessHistoryIndex index, AccessHistoryFeeder feeder, SubjectHasher subjects, GatewayClients clients, PageTokens tokens, TimeProvider time)
{
    /// <summary>The page size when the request asks for none.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page; larger requests get this many.</summary>
    public const int LargestPageSize = 500;

    // How long a listing waits for the start-up rebuild before it is answered UNAVAILABLE (with RetryInfo).
    private static readonly TimeSpan RebuildWait = TimeSpan.FromSeconds(5);

    // Kazakhstan has one time zone, UTC+5 (since March 2024): a date configured for hiding begins there.
    private static readonly TimeSpan KazakhstanOffset = TimeSpan.FromHours(5);

    /// <summary>The page of <paramref name="request"/> (validated) for <paramref name="caller"/>.</summary>
    public async Task<ListDataAccessesResponse> ListAsync(ListDataAccessesRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var officer = clients.FindById(caller.ClientId)?.DataProtectionOfficer ?? false;
        var hidden = HiddenToday();
        var (from, to) = (CeilingMilliseconds(request.StartTime), CeilingMilliseconds(request.EndTime));
        var binding = new PageTokenBinding(
            caller.ClientId, "ListDataAccesses", request.Iin, from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture));
        AccessCursor? after = null;
        if (request.PageToken.Length > 0)
        {
            var cursors = tokens.Open(request.PageToken, binding);
            after = cursors.Count == 1 && AccessCursor.Parse(cursors[0].Token) is { } cursor ? cursor : throw PageTokens.Invalid();
        }

        var size = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, LargestPageSize);
        IReadOnlyList<IndexedAccess> found;
        try
        {
            await feeder.CaughtUp.WaitAsync(RebuildWait, time, cancellationToken).ConfigureAwait(false);
            found = await index.ListAsync(new AccessQuery(subjects.Hash(request.Iin), from, to, after, officer ? [] : hidden, size + 1), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or TimeoutException or IOException)
        {
            // The database is down, or the index still being rebuilt: every access is in the journal, the history later.
            throw RpcErrors.Build(
                StatusCode.Unavailable,
                "The access history cannot be read right now; every access stays in the journal. Retry shortly.",
                RpcErrors.ErrorInfo(ErrorReasons.AccessHistoryUnavailable),
                new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        }

        var response = new ListDataAccessesResponse();
        foreach (var access in found.Take(size))
        {
            var entry = new DataAccess
            {
                AccessTime = Timestamp.FromDateTimeOffset(access.Time),
                ClientId = access.ClientId,
                ClientDisplayName = clients.FindById(access.ClientId)?.DisplayName ?? access.ClientId,
                OperatorId = access.OperatorId,
                Method = access.Method,
                Purpose = access.Purpose,
                ConsentId = access.ConsentId ?? "",
                Result = access.Result,
                Reason = access.Reason ?? "",
                HiddenFromSubject = hidden.Contains(access.ClientId),
            };
            entry.ProviderIds.AddRange(access.Providers);
            response.Accesses.Add(entry);
        }

        if (found.Count > size)
        {
            response.NextPageToken = tokens.Issue(binding, [new ProviderCursor("", AccessCursor.After(found[size - 1]).ToString())]);
        }

        return response;
    }

    /// <summary>The clients whose accesses are withheld from the citizen today: hidden, and their date not yet come.</summary>
    public HashSet<string> HiddenToday()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(KazakhstanOffset).DateTime);
        return clients.All.Where(c => c.HiddenFromSubjectUntil is { } until && until > today).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
    }

    // The index keeps milliseconds: an instant at .0005 s begins (or ends) the range with the millisecond after it, so that
    // "at >= from" and "at < to" on milliseconds mean what they mean on the request's nanoseconds.
    private static long CeilingMilliseconds(Timestamp value) =>
        (value.Seconds * 1000) + ((value.Nanos + 999_999) / 1_000_000);
}
