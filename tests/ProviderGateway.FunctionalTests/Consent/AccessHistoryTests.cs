using System.Buffers;
using System.Diagnostics;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ProviderGateway.AccessHistory;
using ProviderGateway.Audit;
using ProviderGateway.Contracts.Consent.V1;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.Contracts.Identifiers;
using ProviderGateway.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace ProviderGateway.FunctionalTests.Consent;

/// <summary>
/// A citizen's access history, end to end: a journal holding a day of generated traffic (100,000 lines, written with the
/// journal's own writer and keys), a real gateway indexing it at start-up into its SQLite file or a real PostgreSQL, and the
/// answers checked against the journal itself with the verifier's HMAC.
/// </summary>
public sealed class AccessHistoryTests(ITestOutputHelper output, AccessHistoryTests.Server server) : IClassFixture<AccessHistoryTests.Server>
{
    private const string OfficerKey = "officer-key-0123456789abcdef";
    private const string DeskKey = "history-desk-key-0123456789";
    private static readonly DateTimeOffset Day = new(2026, 10, 15, 0, 0, 0, TimeSpan.FromHours(5));
    private static readonly DateTimeOffset MonthStart = new(2026, 10, 1, 0, 0, 0, TimeSpan.FromHours(5));
    private static readonly string[] Clients = ["desk-a", "desk-b", "police", "old-police"];

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task After_a_day_of_traffic_one_citizens_month_answers_fast_exactly_and_hidden_clients_only_for_the_officer_and_survives_the_index_deleted(string store)
    {
        var journal = TestSecrets.NewJournalPath();
        // A seed citizen: the demo consent authority has a phone for them (the desk asks for consent below).
        var citizen = DemoData.Seed.Citizens[2].Iin;
        var generated = WriteDayOfTraffic(journal, citizen, lines: 100_000);
        var index = Path.Combine(Path.GetDirectoryName(journal)!, Path.GetFileNameWithoutExtension(journal) + ".access-history.db");
        var database = store == "Postgres" ? await server.NewDatabaseAsync() : null;
        var expected = Expected(journal, citizen);
        Assert.InRange(expected.Count, 30, 200);
        Assert.Contains(expected, e => e.Key.Contains("CONSENT_REQUIRED:EXPIRED", StringComparison.Ordinal));
        Assert.Contains(expected, e => e.Key.Contains("consent-", StringComparison.Ordinal));

        IReadOnlyList<DataAccess> officerView, deskView;
        await using (var scenario = await StartAsync(journal, database))
        {
            var officer = scenario.Office(key: OfficerKey);
            var started = Stopwatch.StartNew();
            officerView = await ListOnceRebuiltAsync(officer, citizen);
            output.WriteLine($"{store}: first answer (index built from 100,000 journal lines at start-up): {started.ElapsedMilliseconds} ms");

            // One citizen's month, again and again: p50 under 50 ms.
            var timings = new List<double>();
            for (var i = 0; i < 21; i++)
            {
                var call = Stopwatch.StartNew();
                var page = await officer.ListDataAccessesAsync(Month(citizen, pageSize: 500));
                timings.Add(call.Elapsed.TotalMilliseconds);
                Assert.Equal(expected.Count, page.Accesses.Count);
            }

            timings.Sort();
            output.WriteLine($"{store}: one citizen's month, {expected.Count} accesses in one page: p50 {timings[10]:F2} ms, max {timings[^1]:F2} ms over 21 calls");
            Assert.True(timings[10] < 50, $"p50 {timings[10]:F2} ms");

            // The desk serving the citizen, with the citizen's consent: hidden clients left out.
            var consent = await scenario.ConsentAsync(scenario.Office(key: DeskKey), citizen, TimeSpan.FromDays(1), ConsentScope.AccessHistory);
            deskView = await ListAllAsync(scenario.Office(consent.ConsentToken, DeskKey), citizen);
            var refused = await Assert.ThrowsAsync<RpcException>(() => scenario.Office(key: DeskKey).ListDataAccessesAsync(Month(citizen)).ResponseAsync);
            Assert.Equal("CONSENT_REQUIRED", refused.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);

            // The listing itself is an access to the citizen's data: it shows in the history once the journal has it on disk.
            var feeder = scenario.Gateway.Application.App.Services.GetRequiredService<AccessHistoryFeeder>();
            var today = new ListDataAccessesRequest
            {
                Iin = citizen,
                StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
                EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
            };
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var progress = feeder.NextProgress;
                var own = await officer.ListDataAccessesAsync(today);
                if (own.Accesses.Any(a => a is { Method: "ListDataAccesses", ClientId: "officer", Purpose: ConsentScenario.Purpose, Result: "OK" })
                    && own.Accesses.Any(a => a is { Method: "ListDataAccesses", ClientId: "history-desk", Result: "PERMISSION_DENIED", Reason: "CONSENT_REQUIRED:MISSING_TOKEN" }))
                {
                    break;
                }

                await progress.WaitAsync(patience.Token); // the next batch the feeder writes, not a sleep
            }
        }

        // Exactly the journal's lines about the citizen, newest first.
        Assert.Equal(expected.Select(e => e.Key), officerView.Select(Key));
        Assert.Contains(officerView, a => a.ClientId == "police" && a.HiddenFromSubject);
        Assert.Equal(expected.Where(e => e.Client != "police").Select(e => e.Key), deskView.Select(Key));
        Assert.Contains(deskView, a => a.ClientId == "old-police" && !a.HiddenFromSubject); // its date has passed
        Assert.Equal("Police department", officerView.First(a => a.ClientId == "police").ClientDisplayName);

        // No IIN in clear in the index: not the citizen's, not the seed's, not one of the generated ones.
        var text = database is null
            ? string.Concat(new[] { index, index + "-wal" }.Where(File.Exists).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))))
            : await server.DumpAsync(database);
        Assert.Contains(JournalFile.SubjectOf(citizen), text, StringComparison.Ordinal);
        Assert.DoesNotContain(citizen, text, StringComparison.Ordinal);
        Assert.All(DemoData.Seed.Citizens, c => Assert.DoesNotContain(c.Iin, text, StringComparison.Ordinal));
        Assert.All(generated, iin => Assert.DoesNotContain(iin, text, StringComparison.Ordinal));

        // The index deleted: rebuilt from the journal at start-up, the same answers.
        if (database is null)
        {
            foreach (var file in new[] { index, index + "-wal", index + "-shm" }.Where(File.Exists))
            {
                File.Delete(file);
            }
        }
        else
        {
            await server.ExecuteAsync(database, "DROP TABLE access_history, access_history_journals, access_history_schema");
        }

        await using (var again = await StartAsync(journal, database))
        {
            var rebuilt = await ListOnceRebuiltAsync(again.Office(key: OfficerKey), citizen);
            Assert.Equal(officerView.Select(Key), rebuilt.Select(Key));
            var history = await again.Office(key: OfficerKey).ListDataAccessesAsync(new ListDataAccessesRequest
            {
                Iin = citizen,
                StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
                EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
            });

            // The officer's own calls of the first run are in the history too (journaled like any access).
            Assert.Contains(history.Accesses, a => a.Method == "ListDataAccesses" && a.ClientId == "officer");
        }
    }

    [Fact]
    public async Task Bad_requests_are_refused_precisely_and_a_page_token_is_bound_to_its_listing()
    {
        var journal = TestSecrets.NewJournalPath();
        var citizen = NewIin(4343);
        WriteDayOfTraffic(journal, citizen, lines: 10_000);
        await using var scenario = await StartAsync(journal);
        var officer = scenario.Office(key: OfficerKey);

        var bad = await Assert.ThrowsAsync<RpcException>(() => officer.ListDataAccessesAsync(new ListDataAccessesRequest
        {
            Iin = "791028302729",
            StartTime = Timestamp.FromDateTimeOffset(MonthStart),
            EndTime = Timestamp.FromDateTimeOffset(MonthStart.AddDays(400)),
            PageSize = -1,
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal(["iin", "end_time", "page_size"], bad.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field));

        var first = await officer.ListDataAccessesAsync(Month(citizen, pageSize: 2));
        Assert.Equal(2, first.Accesses.Count);
        Assert.NotEmpty(first.NextPageToken);
        var second = await officer.ListDataAccessesAsync(Month(citizen, pageSize: 2, pageToken: first.NextPageToken));
        Assert.True(first.Accesses[1].AccessTime.ToDateTimeOffset() >= second.Accesses[0].AccessTime.ToDateTimeOffset());
        var otherCitizen = Month(NewIin(4400), pageSize: 2, pageToken: first.NextPageToken);
        var stolen = await Assert.ThrowsAsync<RpcException>(() => officer.ListDataAccessesAsync(otherCitizen).ResponseAsync);
        Assert.Equal("PAGE_TOKEN_INVALID", stolen.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Reason);

        // Not for a client without the permission, nor by the wildcard.
        var denied = await Assert.ThrowsAsync<RpcException>(() => scenario.Gateway.FrontDesk.ListDataAccessesAsync(Month(citizen)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    private static Task<ConsentScenario> StartAsync(string journal, string? database = null) => ConsentScenario.StartAsync(settings =>
    {
        settings["Gateway:Security:Journal:Path"] = journal;
        if (database is not null)
        {
            settings.WithSubmissions(s => s.Postgres(database));
        }

        settings.WithClient(c => c.Id("officer").ApiKey(OfficerKey).Permissions("access_history").Districts("*").Unlimited().DataProtectionOfficer())
            .WithClient(c => c.Id("history-desk").ApiKey(DeskKey).Permissions("access_history", "consent").Districts("1952").Unlimited())
            .WithClient(c => c.Id("police").ApiKey("police-key-0123456789abcdef").Permissions("overview").Districts("*").DisplayName("Police department").HiddenFromSubject(new DateOnly(2099, 1, 1)))
            .WithClient(c => c.Id("old-police").ApiKey("old-police-key-0123456789ab").Permissions("overview").Districts("*").HiddenFromSubject(new DateOnly(2020, 1, 1)));
    });

    // A valid IIN born 1985-03-14, of the first serial from this one that has a check digit.
    private static string NewIin(int serial) =>
        Enumerable.Range(serial, 50).Select(s => Iin.Create(new DateOnly(1985, 3, 14), male: false, s)).OfType<string>().First();

    private static ListDataAccessesRequest Month(string iin, int pageSize = 0, string pageToken = "") => new()
    {
        Iin = iin,
        StartTime = Timestamp.FromDateTimeOffset(MonthStart),
        EndTime = Timestamp.FromDateTimeOffset(MonthStart.AddMonths(1)),
        PageSize = pageSize,
        PageToken = pageToken,
    };

    // The first listing after a start-up waits for the index's rebuild (5 s at most, then UNAVAILABLE with RetryInfo):
    // on a busy 2-core machine a rebuild of 100,000 lines can take longer, and a desk retries as told.
    private static async Task<IReadOnlyList<DataAccess>> ListOnceRebuiltAsync(FrontDeskService.FrontDeskServiceClient desk, string iin)
    {
        for (var until = DateTime.UtcNow + TimeSpan.FromSeconds(90); ; await Task.Delay(TimeSpan.FromSeconds(1)))
        {
            try
            {
                return await ListAllAsync(desk, iin);
            }
            catch (RpcException e) when (e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == "ACCESS_HISTORY_UNAVAILABLE" && DateTime.UtcNow < until)
            {
            }
        }
    }

    private static async Task<IReadOnlyList<DataAccess>> ListAllAsync(FrontDeskService.FrontDeskServiceClient desk, string iin)
    {
        var all = new List<DataAccess>();
        var token = "";
        do
        {
            var page = await desk.ListDataAccessesAsync(Month(iin, pageSize: 7, pageToken: token));
            all.AddRange(page.Accesses);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    private static string Key(DataAccess access) =>
        $"{access.AccessTime.ToDateTimeOffset().ToUnixTimeMilliseconds()} {access.ClientId} {access.OperatorId} {access.Purpose} {access.Method} {string.Join(',', access.ProviderIds)} {access.ConsentId} {access.Result} {access.Reason}";

    // The journal's own lines about the citizen, read as the verifier would (HMAC of the IIN), newest first.
    private static List<(string Key, string Client)> Expected(string journal, string iin)
    {
        var subject = JournalFile.SubjectOf(iin);
        return [.. JournalFile.Entries(journal)
            .Where(e => e.GetProperty("subject").GetString() == subject)
            .Select(e => (Time: DateTimeOffset.Parse(e.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Seq: e.GetProperty("seq").GetInt64(), Entry: e))
            .OrderByDescending(e => e.Time).ThenByDescending(e => e.Seq)
            .Select(e => (
                $"{e.Time.ToUnixTimeMilliseconds()} {Text(e.Entry, "client")} {Text(e.Entry, "operator")} {Text(e.Entry, "purpose")} {Text(e.Entry, "method")} " +
                $"{string.Join(',', e.Entry.GetProperty("providers").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Distinct())} {Text(e.Entry, "consent")} {Text(e.Entry, "result")} {Text(e.Entry, "reason")}",
                Text(e.Entry, "client")))];

        static string Text(System.Text.Json.JsonElement entry, string name) => entry.TryGetProperty(name, out var value) ? value.GetString()! : "";
    }

    // A day of traffic: many citizens, four clients, the overview and domain reads (some under a consent, some refused with
    // the gateway's reason), parcels asked by cadastral number (no citizen's); one citizen's accesses among them. Returns
    // the IINs it wrote about.
    private static IReadOnlyList<string> WriteDayOfTraffic(string journal, string citizen, int lines)
    {
        var random = new Random(7);
        var citizens = Enumerable.Range(0, 5_000).Select(i => Iin.Create(new DateOnly(1960, 1, 1).AddDays(i * 3), i % 2 == 0, 1000 + i)).OfType<string>().ToArray();
        using var subjects = new SubjectHasher(Microsoft.Extensions.Options.Options.Create(new Configuration.SecurityOptions
        {
            Journal = new Configuration.JournalOptions { SubjectKey = TestSecrets.SubjectKey },
        }));
        using var writer = new JournalLineWriter(Convert.FromBase64String(TestSecrets.ChainKey));
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var prev = JournalChain.Genesis;
        string[] methods = ["GetCitizenOverview", "ListUtilityAccounts", "ListParcels", "ListBenefits", "GetUtilityAccountBalance", "GetParcel"];
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        using var file = new FileStream(journal, FileMode.CreateNew, FileAccess.Write);
        for (var seq = 1; seq <= lines; seq++)
        {
            var iin = seq % 1000 == 0 || random.Next(2_500) == 0 ? citizen : citizens[random.Next(citizens.Length)];
            var client = Clients[random.Next(Clients.Length)];
            var method = methods[random.Next(methods.Length)];
            var time = Day.AddMilliseconds(seq * (86_400_000.0 / lines));
            var refused = random.Next(20) == 0;
            var (kind, subject) = method == "GetParcel" ? ("cadastral_number", subjects.Hash($"03-047-{random.Next(1000):D3}-{random.Next(1000):D3}")) : ("iin", subjects.Hash(iin));
            IReadOnlyList<ProviderTouch> touches = refused ? [] : method switch
            {
                "GetCitizenOverview" => [new("alatau-power", "OK", "LIVE"), new("land-registry", "OK", "CACHED"), new("enpf-benefits", "UNAVAILABLE", "")],
                "ListParcels" or "GetParcel" => [new("land-registry", "OK", "LIVE")],
                _ => [new("alatau-power", "OK", "LIVE")],
            };
            var record = new AccessRecord(time, client, $"operator-{random.Next(40)}", random.Next(3) == 0 ? "subject-request" : "citizen-enquiry", method, kind, subject,
                touches, refused ? "PERMISSION_DENIED" : "OK")
            {
                Consent = !refused && random.Next(4) == 0 ? $"consent-{random.Next(100_000)}" : null,
                Reason = refused ? "CONSENT_REQUIRED:EXPIRED" : null,
            };
            prev = writer.Write(output, record, seq, prev);
            if (output.WrittenCount > (1 << 19))
            {
                file.Write(output.WrittenSpan);
                output.ResetWrittenCount();
            }
        }

        file.Write(output.WrittenSpan);
        return citizens;
    }

    /// <summary>One PostgreSQL server for the class, a database per test.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private PostgresServer? _postgres;

        private PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

        public async Task InitializeAsync() => _postgres = await PostgresServer.StartAsync();

        public async Task DisposeAsync()
        {
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }

        /// <summary>A new database; its connection string.</summary>
        public async Task<string> NewDatabaseAsync()
        {
            var database = $"history_{Guid.NewGuid():N}";
            await using (var connection = await Postgres.OpenAsync())
            {
                await using var create = connection.CreateCommand();
                create.CommandText = $"CREATE DATABASE {database}";
                await create.ExecuteNonQueryAsync();
            }

            return new Npgsql.NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = database, Pooling = true }.ConnectionString;
        }

        public async Task ExecuteAsync(string connectionString, string sql)
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        /// <summary>The whole database as pg_dump writes it.</summary>
        public async Task<string> DumpAsync(string connectionString)
        {
            var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
            var dump = await ScriptRunner.RunProgramAsync(Path.Combine(PostgresServer.BinFolder, "pg_dump"), "-h", "127.0.0.1", "-p",
                Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database);
            Assert.True(dump.ExitCode == 0, dump.Error);
            Assert.Contains("COPY public.access_history ", dump.Output, StringComparison.Ordinal);
            return dump.Output;
        }
    }
}

/// <summary>The access history in PostgreSQL, shared by two gateway instances, each feeding its own journal.</summary>
public sealed class SharedAccessHistoryTests
{
    private const string OfficerKey = "officer-key-0123456789abcdef";

    [Fact]
    public async Task Two_instances_share_one_index_each_feeds_its_journal_and_a_deleted_index_is_rebuilt_by_each_with_no_IIN_in_it()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = $"history_{Guid.NewGuid():N}";
        await using (var connection = await postgres.OpenAsync())
        {
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {database}";
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database, Pooling = true }.ConnectionString;
        await using var providers = await DemoProviders.DemoProviderSet.StartAsync(new DemoProviders.DemoProviderSetOptions { Seed = DemoData.Seed });
        var citizen = DemoData.Seed.Citizens[0].Iin;
        GatewaySettings Instance(string id, string journal)
        {
            var settings = new GatewaySettings()
                .WithSubmissions(s => s.Postgres(connectionString))
                .WithClient(c => c.Id("officer").ApiKey(OfficerKey).Permissions("access_history").Districts("*").Unlimited().DataProtectionOfficer());
            settings["Gateway:Security:Journal:InstanceId"] = id;
            settings["Gateway:Security:Journal:Path"] = journal;
            return settings;
        }

        var (journalA, journalB) = (TestSecrets.NewJournalPath(), TestSecrets.NewJournalPath());
        IReadOnlyList<string> before;
        await using (var a = await TestGateway.StartAsync(providers, Instance("gw-a", journalA)))
        await using (var b = await TestGateway.StartAsync(providers, Instance("gw-b", journalB)))
        {
            await a.FrontDesk.GetCitizenOverviewAsync(new GetCitizenOverviewRequest { Iin = citizen });
            await b.FrontDesk.ListUtilityAccountsAsync(new ListUtilityAccountsRequest { Iin = citizen });
            await b.FrontDesk.ListBenefitsAsync(new ListBenefitsRequest { Iin = citizen });

            // Asked at instance A, the history holds B's accesses as soon as B has fed them (once its journal has them on disk).
            before = await WaitForAsync(a, b, citizen, list => list.Count(x => x.EndsWith("test-desk", StringComparison.Ordinal)) == 3);
            Assert.Contains(before, x => x.StartsWith("GetCitizenOverview", StringComparison.Ordinal));
            Assert.Contains(before, x => x.StartsWith("ListBenefits", StringComparison.Ordinal));
        }

        // The index gone, both instances rebuild their parts from their journals.
        await using (var connection = await postgres.OpenAsync())
        {
            connection.ChangeDatabase(database);
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE access_history, access_history_journals, access_history_schema";
            await drop.ExecuteNonQueryAsync();
        }

        await using (var a = await TestGateway.StartAsync(providers, Instance("gw-a", journalA)))
        await using (var b = await TestGateway.StartAsync(providers, Instance("gw-b", journalB)))
        {
            var rebuilt = await WaitForAsync(a, b, citizen, list => before.All(list.Contains));
            Assert.Equal(before, rebuilt.Where(before.Contains));
        }

        // No IIN in clear anywhere in the database.
        var dump = await ScriptRunner.RunProgramAsync(Path.Combine(PostgresServer.BinFolder, "pg_dump"), "-h", "127.0.0.1", "-p", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database);
        Assert.Equal(0, dump.ExitCode);
        Assert.Contains("access_history", dump.Output, StringComparison.Ordinal);
        Assert.All(DemoData.Seed.Citizens, c => Assert.DoesNotContain(c.Iin, dump.Output, StringComparison.Ordinal));
    }

    // The citizen's history of today at instance A as "method time client" lines, asked again each time either instance's
    // feeder writes to the index (no sleeping), until it satisfies done (at most 30 s).
    private static async Task<IReadOnlyList<string>> WaitForAsync(TestGateway a, TestGateway b, string iin, Func<IReadOnlyList<string>, bool> done)
    {
        var officer = a.ClientWith(OfficerKey, "dpo-1", "subject-request");
        var feeders = new[] { a, b }.Select(g => g.Application.App.Services.GetRequiredService<AccessHistoryFeeder>()).ToList();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var progress = Task.WhenAny(feeders.Select(f => f.NextProgress));
            var page = await officer.ListDataAccessesAsync(new ListDataAccessesRequest
            {
                Iin = iin,
                StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
                EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
                PageSize = 500,
            });
            var list = page.Accesses.Where(x => x.Method != "ListDataAccesses").Select(x => $"{x.Method} {x.AccessTime} {x.ClientId}").ToList();
            if (done(list))
            {
                return list;
            }

            try
            {
                await progress.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("Not in the history after 30 s:\n" + string.Join('\n', list));
            }
        }
    }
}
