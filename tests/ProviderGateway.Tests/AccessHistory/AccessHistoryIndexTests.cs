using Microsoft.Data.Sqlite;
using ProviderGateway.AccessHistory;

namespace ProviderGateway.Tests.AccessHistory;

/// <summary>The index's query and bookkeeping on a real SQLite file (PostgreSQL: the functional tests).</summary>
public sealed class AccessHistoryIndexTests : IAsyncLifetime
{
    private static readonly string Citizen = TestJournal.Subjects.Hash("791028302728");
    private static readonly string Other = TestJournal.Subjects.Hash("061211600012");
    private static readonly DateTimeOffset Noon = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-history-index-").FullName;
    private SqliteAccessHistoryIndex _index = null!;

    private string DatabasePath => Path.Combine(_folder, "journal.access-history.db");

    public async Task InitializeAsync()
    {
        _index = new SqliteAccessHistoryIndex(DatabasePath);
        await _index.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _index.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_citizens_accesses_come_newest_first_within_the_range_its_start_included_its_end_left_out()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon.AddHours(-1)), Row("gw-a", 2, Noon), Row("gw-a", 3, Noon.AddHours(1)), Row("gw-a", 4, Noon.AddMinutes(30), Other)], 4, "h4");
        await _index.AddAsync("gw-b", [Row("gw-b", 1, Noon.AddMinutes(10)), Row("gw-b", 2, Noon.AddHours(2))], 2, "h2");

        var found = await _index.ListAsync(Query(Noon, Noon.AddHours(2)));

        Assert.Equal(["gw-a/3", "gw-b/1", "gw-a/2"], found.Select(Key));
        var first = found[^1];
        Assert.Equal((Noon, Citizen, "desk", "operator-1", "citizen-enquiry", "GetCitizenOverview", "OK"), (first.Time, first.Subject, first.ClientId, first.OperatorId, first.Purpose, first.Method, first.Result));
        Assert.Equal(["alatau-power", "land-registry"], first.Providers);
        Assert.Null(first.ConsentId);
        Assert.Null(first.Reason);
    }

    [Fact]
    public async Task Consent_and_reason_come_back_as_fed()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon) with { ConsentId = "consent-42", Reason = "CONSENT_REQUIRED:EXPIRED", Result = "PERMISSION_DENIED", Providers = [] }], 1, "h1");

        var access = Assert.Single(await _index.ListAsync(Query(Noon, Noon.AddSeconds(1))));

        Assert.Equal(("consent-42", "CONSENT_REQUIRED:EXPIRED", "PERMISSION_DENIED"), (access.ConsentId, access.Reason, access.Result));
        Assert.Empty(access.Providers);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_with_no_access_twice_or_left_out_when_accesses_share_a_millisecond()
    {
        // Two instances, three lines each in the same millisecond, and more around them.
        List<IndexedAccess> rows = [.. Enumerable.Range(1, 3).Select(s => Row("gw-a", s, Noon)), .. Enumerable.Range(1, 3).Select(s => Row("gw-b", s, Noon))];
        rows.AddRange(Enumerable.Range(4, 10).Select(s => Row("gw-a", s, Noon.AddMilliseconds(s - 7))));
        await _index.AddAsync("gw-x", rows, 1, "h");
        var all = await _index.ListAsync(Query(Noon.AddHours(-1), Noon.AddHours(1)));

        var paged = new List<IndexedAccess>();
        AccessCursor? after = null;
        while (true)
        {
            var page = await _index.ListAsync(Query(Noon.AddHours(-1), Noon.AddHours(1)) with { After = after, Limit = 4 });
            paged.AddRange(page);
            if (page.Count < 4)
            {
                break;
            }

            after = AccessCursor.Parse(AccessCursor.After(page[^1]).ToString());
        }

        Assert.Equal(16, all.Count);
        Assert.Equal(all.Select(Key), paged.Select(Key));
        Assert.Equal(all.OrderByDescending(a => a.Time).ThenByDescending(a => a.Instance, StringComparer.Ordinal).ThenByDescending(a => a.Seq).Select(Key), all.Select(Key));
    }

    [Fact]
    public async Task Withheld_clients_rows_are_left_out_and_the_limit_counts_only_what_is_shown()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon, client: "police"), Row("gw-a", 2, Noon.AddSeconds(1), client: "police"), Row("gw-a", 3, Noon.AddSeconds(-1)), Row("gw-a", 4, Noon.AddSeconds(-2), client: "court")], 4, "h4");

        var shown = await _index.ListAsync(Query(Noon.AddHours(-1), Noon.AddHours(1)) with { WithheldClients = ["police", "court"], Limit = 1 });
        var all = await _index.ListAsync(Query(Noon.AddHours(-1), Noon.AddHours(1)));

        Assert.Equal(["gw-a/3"], shown.Select(Key));
        Assert.Equal(4, all.Count);
    }

    [Fact]
    public async Task A_line_fed_twice_is_kept_once_and_a_position_never_moves_back()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon), Row("gw-a", 2, Noon)], 2, "h2");
        await _index.AddAsync("gw-a", [Row("gw-a", 2, Noon) with { Method = "Changed" }, Row("gw-a", 3, Noon)], 3, "h3");
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon)], 1, "h1");

        Assert.Equal(3, await _index.CountAsync("gw-a"));
        Assert.Equal(new JournalPosition("gw-a", 3, "h3"), await _index.PositionAsync("gw-a"));
        Assert.DoesNotContain(await _index.ListAsync(Query(Noon, Noon.AddSeconds(1))), a => a.Method == "Changed");
        Assert.Null(await _index.PositionAsync("gw-b"));
    }

    [Fact]
    public async Task Forgetting_a_journal_removes_its_rows_and_position_and_nothing_else()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon)], 1, "a1");
        await _index.AddAsync("gw-b", [Row("gw-b", 1, Noon)], 1, "b1");

        await _index.ForgetAsync("gw-a");

        Assert.Equal((0L, 1L), (await _index.CountAsync("gw-a"), await _index.CountAsync("gw-b")));
        Assert.Null(await _index.PositionAsync("gw-a"));
        Assert.NotNull(await _index.PositionAsync("gw-b"));
    }

    [Fact]
    public async Task Rows_dropped_by_hand_are_made_again_at_the_next_migration_with_every_position_forgotten()
    {
        await _index.AddAsync("gw-a", [Row("gw-a", 1, Noon)], 1, "a1");
        await ExecuteAsync("DROP TABLE access_history");

        await _index.MigrateAsync();

        Assert.Equal(0, await _index.CountAsync());
        Assert.Null(await _index.PositionAsync("gw-a"));
    }

    [Fact]
    public async Task An_index_of_the_first_unversioned_layout_keeps_its_rows_and_loses_its_positions_without_hashes()
    {
        await _index.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(DatabasePath);
        await ExecuteAsync("""
            CREATE TABLE access_history (instance TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, subject TEXT NOT NULL, client_id TEXT NOT NULL,
              operator_id TEXT NOT NULL, purpose TEXT NOT NULL, method TEXT NOT NULL, providers TEXT NOT NULL, consent_id TEXT NOT NULL, result TEXT NOT NULL,
              reason TEXT NOT NULL, PRIMARY KEY (instance, seq)) WITHOUT ROWID;
            CREATE INDEX access_history_by_subject ON access_history (subject, at DESC, instance DESC, seq DESC);
            CREATE TABLE access_history_fed (instance TEXT PRIMARY KEY, seq INTEGER NOT NULL);
            INSERT INTO access_history_fed VALUES ('gw-a', 1);
            """);
        await ExecuteAsync($"INSERT INTO access_history VALUES ('gw-a', 1, {Noon.ToUnixTimeMilliseconds()}, '{Citizen}', 'desk', 'op', 'p', 'GetCitizenOverview', 'alatau-power', '', 'OK', '')");
        _index = new SqliteAccessHistoryIndex(DatabasePath);

        await _index.MigrateAsync();

        Assert.Equal(1, await _index.CountAsync("gw-a"));
        Assert.Null(await _index.PositionAsync("gw-a"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name = 'access_history_fed'"));
    }

    [Fact]
    public async Task One_citizens_month_is_a_range_scan_of_the_subject_index_without_a_sort()
    {
        await _index.AddAsync("gw-a", [.. Enumerable.Range(1, 200).Select(s => Row("gw-a", s, Noon.AddMinutes(s), s % 2 == 0 ? Citizen : Other))], 200, "h");
        await ExecuteAsync("ANALYZE");

        var plan = await PlanAsync("""
            EXPLAIN QUERY PLAN SELECT * FROM access_history WHERE subject = 'x' AND at >= 1 AND at < 2
              AND (at < 2 OR (at = 2 AND (instance < 'a' OR (instance = 'a' AND seq < 3)))) AND client_id NOT IN ('p')
            ORDER BY at DESC, instance DESC, seq DESC LIMIT 51
            """);

        Assert.Contains("USING INDEX access_history_by_subject (subject=? AND at>? AND at<?)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_and_its_write_ahead_log_are_the_owners_only()
    {
        Assert.True(File.Exists(DatabasePath));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in new[] { DatabasePath, DatabasePath + "-wal" }.Where(File.Exists))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    private static AccessQuery Query(DateTimeOffset from, DateTimeOffset to) =>
        new(Citizen, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), null, [], 100);

    private static IndexedAccess Row(string instance, long seq, DateTimeOffset time, string? subject = null, string client = "desk") =>
        new(instance, seq, time, subject ?? Citizen, client, "operator-1", "citizen-enquiry", "GetCitizenOverview", ["alatau-power", "land-registry"], null, "OK", null);

    private static string Key(IndexedAccess access) => $"{access.Instance}/{access.Seq}";

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> PlanAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join('\n', lines);
    }
}
