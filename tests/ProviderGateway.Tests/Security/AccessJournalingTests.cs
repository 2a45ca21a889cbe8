using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using ProviderGateway.Contracts.Errors;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Core;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.Security;

/// <summary>
/// The access journal's line of each front-desk call, as access control writes it into a real journal: one line per
/// personal-data call of an authenticated client, refusals included, with the status the desk receives.
/// </summary>
public sealed class AccessJournalingTests : IAsyncDisposable
{
    private const string Iin = "900101300125";
    private static readonly FrontDeskMethod Overview = FrontDeskMethods.Find("GetCitizenOverview")!;
    private static readonly FrontDeskMethod Parcel = FrontDeskMethods.Find("GetParcel")!;
    private static readonly FrontDeskMethod Directory = FrontDeskMethods.Find("ListProviders")!;
    private static readonly GatewayClient Karasai = AccessControlHarness.Client("karasai-office", ["*"], ["1952"]);

    private AccessControlHarness _harness = new();

    [Fact]
    public async Task An_answered_personal_data_call_gets_one_line_with_its_subject_providers_and_OK()
    {
        var http = AccessControlHarness.Request(Overview, Karasai);
        var answer = new GetCitizenOverviewResponse
        {
            Results =
            {
                new ProviderResult { Source = Source("almaty-power", StatusCode.OK, Freshness.Cached) },
                new ProviderResult { Source = Source("land", StatusCode.Unavailable, Freshness.Unspecified) },
            },
        };

        await _harness.CallAsync(http, OverviewRequest("195220100"), _ => Task.FromResult(answer));
        // Whatever refuses the call later (a framework refusal as the answer is written) finds its line taken.
        _harness.Journaling.Refused(FrontDeskCalls.Of(http)!, http.Request.Headers, request: null, StatusCode.Cancelled);
        var line = Assert.Single(await _harness.JournalEntriesAsync());

        Assert.Equal("karasai-office", line.GetProperty("client").GetString());
        Assert.Equal(AccessControlHarness.Operator, line.GetProperty("operator").GetString());
        Assert.Equal(AccessControlHarness.Purpose, line.GetProperty("purpose").GetString());
        Assert.Equal("GetCitizenOverview", line.GetProperty("method").GetString());
        Assert.Equal("iin", line.GetProperty("subject_kind").GetString());
        Assert.Equal(_harness.Subjects.Hash(Iin), line.GetProperty("subject").GetString());
        Assert.Equal("2026-11-28T05:00:00.000Z", line.GetProperty("time").GetString());
        Assert.Equal(
            ["almaty-power OK", "land UNAVAILABLE"],
            line.GetProperty("providers").EnumerateArray().Select(p => $"{p.GetProperty("id").GetString()} {p.GetProperty("code").GetString()}"));
        Assert.Equal("OK", line.GetProperty("result").GetString());
        Assert.DoesNotContain(Iin, File.ReadAllText(_harness.JournalPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_personal_data_call_refused_by_access_control_gets_one_line_with_its_refusal()
    {
        var outsider = AccessControlHarness.Client("outsider", ["overview"], ["*"]);
        var http = AccessControlHarness.Request(Parcel, outsider);

        var refusal = await _harness.RefusalOfAsync(http, new GetParcelRequest { KatoCode = "195220100", CadastralNumber = "20-315-001-123" });
        _harness.Journaling.Refused(FrontDeskCalls.Of(http)!, http.Request.Headers, request: null, StatusCode.Cancelled);
        var line = Assert.Single(await _harness.JournalEntriesAsync());

        Assert.Equal(StatusCode.PermissionDenied, refusal.StatusCode);
        Assert.Equal("PERMISSION_DENIED", line.GetProperty("result").GetString());
        Assert.Equal("GetParcel", line.GetProperty("method").GetString());
        Assert.Equal("cadastral_number", line.GetProperty("subject_kind").GetString());
        Assert.Equal(_harness.Subjects.Hash("20-315-001-123"), line.GetProperty("subject").GetString());
        Assert.Empty(line.GetProperty("providers").EnumerateArray());
    }

    [Fact]
    public async Task A_refusal_for_a_malformed_operator_and_purpose_is_journaled_with_them_marked_invalid()
    {
        var http = AccessControlHarness.Request(Overview, Karasai, operatorId: "op 17\n", purpose: "x");

        var refusal = await _harness.RefusalOfAsync(http, OverviewRequest("195220100"));
        var line = Assert.Single(await _harness.JournalEntriesAsync());

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", line.GetProperty("result").GetString());
        Assert.Equal(CallerIdentity.InvalidMarker, line.GetProperty("operator").GetString());
        Assert.Equal(CallerIdentity.InvalidMarker, line.GetProperty("purpose").GetString());
    }

    [Fact]
    public async Task Calls_not_about_personal_data_or_of_no_authenticated_client_get_no_line()
    {
        var kiosk = AccessControlHarness.Client("kiosk", ["directory"], ["*"]);

        await _harness.CallAsync(AccessControlHarness.Request(Directory, kiosk), new ListProvidersRequest(), _ => Task.FromResult(new ListProvidersResponse()));
        await _harness.RefusalOfAsync(AccessControlHarness.Request(Directory, AccessControlHarness.Client("nobody", ["overview"], ["*"])), new ListProvidersRequest());
        await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, client: null), OverviewRequest("195220100"));
        await _harness.RefusalOfAsync(new DefaultHttpContext(), OverviewRequest("195220100"));

        Assert.Empty(await _harness.JournalEntriesAsync());
    }

    [Fact]
    public async Task A_call_refused_because_the_journal_is_full_writes_nothing_and_only_a_permitted_call_is_admitted()
    {
        // Capacity 10: calls are admitted below 9 records pending; refusals may use the room above.
        await _harness.DisposeAsync();
        _harness = new AccessControlHarness(queueCapacity: 10);
        while (_harness.Journal.Admit())
        {
        }

        var full = await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, Karasai), OverviewRequest("195220100"));
        var refused = await _harness.RefusalOfAsync(AccessControlHarness.Request(Overview, Karasai), OverviewRequest("331000000"));
        var line = Assert.Single(await _harness.JournalEntriesAsync());

        Assert.Equal(StatusCode.Unavailable, full.StatusCode);
        Assert.Equal(ErrorReasons.AccessJournalFull, AccessControlHarness.ReasonOf(full));
        Assert.NotNull(full.GetRpcStatus()!.GetDetail<RetryInfo>());
        // The call access control refused is refused as such, not for the journal, and has its line.
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("PERMISSION_DENIED", line.GetProperty("result").GetString());
    }

    public static TheoryData<string, StatusCode> Outcomes => new()
    {
        { "not-found", StatusCode.NotFound },
        { "unexpected", StatusCode.Internal },
        { "cancelled", StatusCode.Cancelled },
        { "cancelled-at-once", StatusCode.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task The_line_records_the_very_status_the_desk_receives(string outcome, StatusCode expected)
    {
        using var cancellation = new CancellationTokenSource();
        var http = AccessControlHarness.Request(Overview, Karasai);

        var desk = await Assert.ThrowsAsync<RpcException>(() => _harness.CallAsync<GetCitizenOverviewRequest, GetCitizenOverviewResponse>(
            http,
            OverviewRequest("195220100"),
            async _ =>
            {
                if (outcome != "cancelled-at-once")
                {
                    await Task.Yield();
                }

                switch (outcome)
                {
                    case "cancelled-at-once":
                        // Cancelled before the handler's first await: its task ends cancelled at once.
                        await cancellation.CancelAsync();
                        cancellation.Token.ThrowIfCancellationRequested();
                        break;
                    case "not-found":
                        throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "No such citizen at this provider."));
                    case "cancelled":
                        await cancellation.CancelAsync();
                        cancellation.Token.ThrowIfCancellationRequested();
                        break;
                }

                throw new InvalidOperationException("A bug.");
            },
            cancellation.Token));
        var line = Assert.Single(await _harness.JournalEntriesAsync());

        Assert.Equal(expected, desk.StatusCode);
        Assert.Equal(GrpcStatusNames.Name(desk.StatusCode), line.GetProperty("result").GetString());
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static GetCitizenOverviewRequest OverviewRequest(string kato) => new() { Iin = Iin, KatoCode = kato };

    private static SourceStatus Source(string providerId, StatusCode code, Freshness freshness) => new()
    {
        ProviderId = providerId,
        Status = new Google.Rpc.Status { Code = (int)code },
        Freshness = freshness,
    };
}
