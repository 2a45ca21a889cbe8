using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ProviderGateway.AccessHistory;
using ProviderGateway.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Paging;
using ProviderGateway.Security;

namespace ProviderGateway.Tests.AccessHistory;

/// <summary>What the desk's listing shows whom, on the gateway's clock moved by hand: hidden clients, display names, pages.</summary>
public sealed class AccessHistoryDeskTests : IAsyncLifetime
{
    private const string Citizen = "791028302728";

    // One second before 1 January 2027 begins in Kazakhstan (UTC+5).
    private static readonly DateTimeOffset BeforeTheDay = new(2026, 12, 31, 18, 59, 59, TimeSpan.Zero);
    private static readonly DateTimeOffset Noon = new(2026, 12, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-history-desk-").FullName;
    private readonly FakeTimeProvider _time = new(BeforeTheDay);
    private SqliteAccessHistoryIndex _index = null!;
    private AccessHistoryFeeder _feeder = null!;
    private AccessHistoryDesk _desk = null!;

    public async Task InitializeAsync()
    {
        var security = Options.Create(new SecurityOptions
        {
            Clients =
            [
                new ClientOptions { Id = "officer", Permissions = ["access_history"], Districts = ["*"], DataProtectionOfficer = true },
                new ClientOptions { Id = "desk", Permissions = ["access_history"], Districts = ["*"], DisplayName = "Karasai district akimat, front desk" },
                new ClientOptions { Id = "police", Permissions = ["overview"], Districts = ["*"], DisplayName = "Police", HiddenFromSubject = true, HiddenFromSubjectUntil = new DateOnly(2027, 1, 1) },
            ],
            Journal = new JournalOptions { SubjectKey = TestSecrets.SubjectKey },
            PageTokens = new PageTokenOptions { Key = TestSecrets.PageTokenKey },
        });
        _index = new SqliteAccessHistoryIndex(Path.Combine(_folder, "history.db"));
        await _index.MigrateAsync();
        var rows = new List<IndexedAccess>();
        for (var i = 0; i < 9; i++)
        {
            var client = (i % 3) switch { 0 => "desk", 1 => "police", _ => "removed-office" };
            rows.Add(new IndexedAccess("gw-a", i + 1, Noon.AddMinutes(i), TestJournal.Subjects.Hash(Citizen), client, "op", "citizen-enquiry", "GetCitizenOverview", ["alatau-power"], null, "OK", null));
        }

        await _index.AddAsync("gw-a", rows, 9, "h");
        _feeder = new AccessHistoryFeeder(_index, ("gw-test", Path.Combine(_folder, "journal.jsonl")), [], 1000, TimeProvider.System, NullLogger.Instance);
        await _feeder.StartAsync(CancellationToken.None);
        _desk = new AccessHistoryDesk(_index, _feeder, TestJournal.Subjects, new GatewayClients(security), new PageTokens(security, _time), _time);
    }

    public async Task DisposeAsync()
    {
        await _feeder.StopAsync(CancellationToken.None);
        _feeder.Dispose();
        await _index.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_hidden_clients_accesses_are_withheld_from_all_but_the_officer_until_its_day_begins_in_Kazakhstan()
    {
        var deskBefore = await ListAsync("desk");
        var officerBefore = await ListAsync("officer");
        _time.Advance(TimeSpan.FromSeconds(1)); // 2027-01-01 00:00:00 in Kazakhstan
        var deskAfter = await ListAsync("desk");
        var officerAfter = await ListAsync("officer");

        Assert.Equal(6, deskBefore.Accesses.Count);
        Assert.DoesNotContain(deskBefore.Accesses, a => a.ClientId == "police");
        Assert.Equal(9, officerBefore.Accesses.Count);
        Assert.All(officerBefore.Accesses, a => Assert.Equal(a.ClientId == "police", a.HiddenFromSubject));
        Assert.Equal(9, deskAfter.Accesses.Count);
        Assert.All(deskAfter.Accesses.Concat(officerAfter.Accesses), a => Assert.False(a.HiddenFromSubject));
    }

    [Fact]
    public async Task Accesses_are_named_by_the_configured_display_name_or_by_their_client_id_when_it_is_no_longer_configured()
    {
        var page = await ListAsync("officer");

        Assert.Equal("Karasai district akimat, front desk", page.Accesses.First(a => a.ClientId == "desk").ClientDisplayName);
        Assert.Equal("Police", page.Accesses.First(a => a.ClientId == "police").ClientDisplayName);
        Assert.Equal("removed-office", page.Accesses.First(a => a.ClientId == "removed-office").ClientDisplayName);
        Assert.Equal(Enumerable.Range(0, 9).Reverse().Select(i => Noon.AddMinutes(i)), page.Accesses.Select(a => a.AccessTime.ToDateTimeOffset()));
    }

    [Fact]
    public async Task Pages_go_on_with_their_token_and_a_token_is_refused_for_another_client_citizen_or_range()
    {
        var first = await ListAsync("officer", pageSize: 4);
        var second = await ListAsync("officer", pageSize: 4, token: first.NextPageToken);
        var third = await ListAsync("officer", pageSize: 4, token: second.NextPageToken);

        Assert.Equal(9, first.Accesses.Concat(second.Accesses).Concat(third.Accesses).Select(a => a.AccessTime).Distinct().Count());
        Assert.Empty(third.NextPageToken);
        foreach (var misuse in new Func<Task>[]
        {
            () => ListAsync("desk", pageSize: 4, token: first.NextPageToken),
            () => ListAsync("officer", pageSize: 4, token: first.NextPageToken, iin: "061211600012"),
            () => ListAsync("officer", pageSize: 4, token: first.NextPageToken, start: Noon.AddDays(-29)),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(misuse);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        }
    }

    private Task<ListDataAccessesResponse> ListAsync(string client, int pageSize = 0, string token = "", string iin = Citizen, DateTimeOffset? start = null) =>
        _desk.ListAsync(
            new ListDataAccessesRequest
            {
                Iin = iin,
                StartTime = Timestamp.FromDateTimeOffset(start ?? Noon.AddDays(-30)),
                EndTime = Timestamp.FromDateTimeOffset(Noon.AddDays(1)),
                PageSize = pageSize,
                PageToken = token,
            },
            new CallerIdentity(client, "op", "subject-request"),
            CancellationToken.None);
}
