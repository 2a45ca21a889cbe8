using System.Data.Common;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProviderGateway.Audit;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Paging;
using ProviderGateway.Security;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// A citizen's access history for the front desk (<c>ListDataAccesses</c>): the index brought up to date with the journal
/// (<see cref="JournalFeeder.CatchUpAsync"/>), then one citizen's accesses in a time range, newest first, paged by a signed
/// token bound to the caller, the citizen and the range. A client hidden from the subject
/// (<see cref="GatewayClient.HiddenFromSubjectUntil"/> after today, in Kazakhstan) is left out unless the caller is a
/// data-protection officer, who sees its accesses marked. Names come from the configuration as it is now.
/// </summary>
public sealed class AccessHistoryDesk(AccessHistoryIndex index, JournalFeeder feeder, SubjectHasher subjects, GatewayClients clients, PageTokens tokens, TimeProvider time)
{
    private const int DefaultPageSize = 50;
    private const int LargestPageSize = 500;

    // Kazakhstan has one time zone, UTC+5: a date configured for hiding begins there.
    private static readonly TimeSpan KazakhstanOffset = TimeSpan.FromHours(5);

    /// <summary>The page of <paramref name="request"/> (validated) for <paramref name="caller"/>.</summary>
    public async Task<ListDataAccessesResponse> ListAsync(ListDataAccessesRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var officer = clients.FindById(caller.ClientId)?.DataProtectionOfficer ?? false;
        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(KazakhstanOffset).DateTime);
        var hidden = clients.All.Where(c => c.HiddenFromSubjectUntil is { } until && until > today).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var subject = subjects.Hash(request.Iin);
        var from = request.StartTime.ToDateTimeOffset();
        var to = request.EndTime.ToDateTimeOffset();
        var binding = new PageTokenBinding(caller.ClientId, "ListDataAccesses", subject, from.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), to.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
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
            await feeder.CatchUpAsync(cancellationToken).ConfigureAwait(false);
            found = await index.ListAsync(subject, from, to, after, officer ? [] : hidden, size + 1, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or IOException or TimeoutException)
        {
            throw RpcErrors.Build(
                StatusCode.Unavailable,
                "The access history cannot be read right now; every access stays in the journal. Retry shortly.",
                RpcErrors.ErrorInfo(ErrorReasons.AccessHistoryUnavailable),
                new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });
        }

        var response = new ListDataAccessesResponse();
        foreach (var access in found.Take(size))
        {
            var client = clients.FindById(access.ClientId);
            var entry = new DataAccess
            {
                AccessTime = Timestamp.FromDateTimeOffset(access.Time),
                ClientId = access.ClientId,
                ClientDisplayName = client?.DisplayName ?? access.ClientId,
                OperatorId = access.OperatorId,
                Method = access.Method,
                Purpose = access.Purpose,
                ConsentId = access.ConsentId,
                Result = access.Result,
                Reason = access.Reason,
                HiddenFromSubject = hidden.Contains(access.ClientId),
            };
            entry.ProviderIds.AddRange(access.Providers.Split(',', StringSplitOptions.RemoveEmptyEntries));
            response.Accesses.Add(entry);
        }

        if (found.Count > size)
        {
            var last = found[size - 1];
            response.NextPageToken = tokens.Issue(binding, [new ProviderCursor("history", new AccessCursor(last.Time.ToUnixTimeMilliseconds(), last.Instance, last.Seq).ToString())]);
        }

        return response;
    }
}
