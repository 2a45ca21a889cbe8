using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using ProviderGateway.AccessHistory;
using ProviderGateway.Audit;

namespace ProviderGateway.Tests.AccessHistory;

/// <summary>
/// The feeder between a real journal file (written as the gateway writes it) and a real SQLite index: the start-up
/// rebuild from the files, the live feed, lines not held, a failing index, a journal begun anew, lines that do not parse,
/// other instances' journals.
/// </summary>
public sealed class AccessHistoryFeederTests : IAsyncLifetime
{
    private const string Citizen = "791028302728";
    private static readonly string CitizenSubject = TestJournal.Subjects.Hash(Citizen);
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-history-feeder-").FullName;
    private readonly List<AccessHistoryFeeder> _feeders = [];
    private FlakyIndex _index = null!;

    private string JournalPath => Path.Combine(_folder, "journal.jsonl");

    public async Task InitializeAsync()
    {
        _index = new FlakyIndex(Path.Combine(_folder, "journal.access-history.db"));
        await _index.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var feeder in _feeders)
        {
            await feeder.StopAsync(CancellationToken.None);
            feeder.Dispose();
        }

        await _index.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task At_start_up_the_index_is_built_from_the_rotated_files_and_the_current_one_with_only_the_lines_about_a_citizen()
    {
        using var journal = new TestJournal(JournalPath);
        for (var i = 0; i < 30; i++)
        {
            journal.Append(i % 5 == 4 ? TestJournal.ParcelAccess(At(i)) : TestJournal.Access(i % 2 == 0 ? Citizen : "061211600012", $"desk-{i % 3}", At(i)));
            if (i is 9 or 19)
            {
                journal.Rotate();
            }
        }

        var feeder = await StartAsync();

        Assert.Equal(30, feeder.IndexedSeq);
        Assert.Equal(24, await _index.CountAsync("gw-test"));
        Assert.Equal(new JournalPosition("gw-test", 30, journal.Lines[^1].Hash), await _index.PositionAsync("gw-test"));
        var citizens = await ListAsync(CitizenSubject);
        Assert.Equal(journal.Lines.Where(l => l.Record!.Subject == CitizenSubject).Select(l => l.Seq).Reverse(), citizens.Select(a => a.Seq));
    }

    [Fact]
    public async Task Lines_handed_over_live_are_indexed_as_a_rebuild_from_the_files_would_index_them()
    {
        using var journal = new TestJournal(JournalPath);
        var feeder = await StartAsync();

        var lines = Enumerable.Range(0, 12).Select(i => journal.Append(TestJournal.Access(Citizen, i % 3 == 0 ? "consented-desk" : "desk", At(i), result: i == 5 ? "PERMISSION_DENIED" : "OK"))).ToList();
        feeder.Written("gw-test", lines[..5]);
        feeder.Written("gw-test", lines[5..]);
        await feeder.WaitUntilIndexedAsync(12, Timeout());
        var live = await ListAsync(CitizenSubject);

        await using var rebuilt = new SqliteAccessHistoryIndex(Path.Combine(_folder, "rebuilt.db"));
        await rebuilt.MigrateAsync();
        await StartAsync(rebuilt);
        var fromFiles = await rebuilt.ListAsync(new AccessQuery(CitizenSubject, 0, long.MaxValue, null, [], 100));

        Assert.Equal(12, live.Count);
        Assert.Equal(fromFiles.Select(Describe), live.Select(Describe));
        Assert.Contains(live, a => a is { ConsentId: "consent-42", Reason: null, Result: "OK" });
        Assert.Contains(live, a => a is { Reason: "CONSENT_REQUIRED:EXPIRED", Result: "PERMISSION_DENIED" });
        Assert.All(live, a => Assert.Equal(["alatau-power", "land-registry"], a.Providers));
        Assert.Equal(0, feeder.LinesNotHeld);
    }

    [Fact]
    public async Task Lines_not_held_for_want_of_room_are_read_back_from_the_journal_files()
    {
        using var journal = new TestJournal(JournalPath);
        var feeder = await StartAsync(capacity: 3);

        var lines = Enumerable.Range(0, 6).Select(i => journal.Append(TestJournal.Access(Citizen, "desk", At(i)))).ToList();
        feeder.Written("gw-test", lines[..5]);
        feeder.Written("gw-test", lines[5..]);
        await feeder.WaitUntilIndexedAsync(6, Timeout());

        Assert.Equal(5, feeder.LinesNotHeld);
        Assert.Equal([6L, 5, 4, 3, 2, 1], (await ListAsync(CitizenSubject)).Select(a => a.Seq));
    }

    [Fact]
    public async Task Lines_not_held_at_the_end_of_a_burst_are_read_back_without_waiting_for_a_line_after_them()
    {
        using var journal = new TestJournal(JournalPath);
        var feeder = await StartAsync(capacity: 3);

        var lines = Enumerable.Range(0, 5).Select(i => journal.Append(TestJournal.Access(Citizen, "desk", At(i)))).ToList();
        feeder.Written("gw-test", lines);
        await feeder.WaitUntilIndexedAsync(5, Timeout());

        Assert.Equal(5, feeder.LinesNotHeld);
        Assert.Equal(5, await _index.CountAsync("gw-test"));
    }

    [Fact]
    public async Task A_journal_rotating_twice_while_a_catch_up_reads_it_is_read_through_every_file_set_aside_none_skipped()
    {
        using var journal = new TestJournal(JournalPath);
        for (var i = 0; i < 12; i++)
        {
            journal.Append(TestJournal.Access(Citizen, "desk", At(i)));
            if (i == 9)
            {
                journal.Rotate(); // 1-10 set aside; 11-12 in the current file when the catch-up lists the files
            }
        }

        // While the catch-up reads the first file: 13-20 written, the file set aside, 21-30, set aside again, 31-35 current.
        await using var index = new RotatingIndex(Path.Combine(_folder, "rotating.access-history.db"), () =>
        {
            for (var i = 12; i < 35; i++)
            {
                journal.Append(TestJournal.Access(Citizen, "desk", At(i)));
                if (i is 19 or 29)
                {
                    journal.Rotate();
                }
            }
        });
        var feeder = await StartAsync(index);
        await StopAsync(feeder);

        Assert.Equal(35, feeder.IndexedSeq);
        Assert.Equal(35, await index.CountAsync("gw-test"));
        Assert.Equal(Enumerable.Range(1, 35).Select(i => (long)i).Reverse(), (await index.ListAsync(new AccessQuery(CitizenSubject, 0, long.MaxValue, null, [], 1000))).Select(a => a.Seq));
    }

    [Fact]
    public async Task While_the_index_cannot_be_written_nothing_is_lost_and_it_catches_up_from_the_files_once_it_can()
    {
        using var journal = new TestJournal(JournalPath);
        var feeder = await StartAsync();
        _index.Failing = true;

        var lines = Enumerable.Range(0, 8).Select(i => journal.Append(TestJournal.Access(Citizen, "desk", At(i)))).ToList();
        feeder.Written("gw-test", lines);
        await _index.FailedOnce.WaitAsync(Timeout());
        _index.Failing = false;
        await feeder.WaitUntilIndexedAsync(8, Timeout());

        Assert.Equal(8, (await ListAsync(CitizenSubject)).Count);
        Assert.Equal(8, feeder.IndexedSeq);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(15)]
    public async Task A_journal_begun_anew_is_indexed_again_instead_of_skipped_until_its_seqs_pass_the_old_ones(int newLines)
    {
        using (var first = new TestJournal(JournalPath))
        {
            for (var i = 0; i < 10; i++)
            {
                first.Append(TestJournal.Access(Citizen, "old-desk", At(i)));
            }

            await StopAsync(await StartAsync());
        }

        // The journal set aside, a new chain begins at seq 1 under the same instance.
        File.Move(JournalPath, Path.Combine(_folder, "aside.jsonl"));
        using var second = new TestJournal(JournalPath);
        for (var i = 0; i < newLines; i++)
        {
            second.Append(TestJournal.Access(Citizen, "new-desk", At(100 + i)));
        }

        var feeder = await StartAsync();

        var found = await ListAsync(CitizenSubject);
        Assert.Equal(newLines, found.Count);
        Assert.All(found, a => Assert.Equal("new-desk", a.ClientId));
        Assert.Equal(new JournalPosition("gw-test", newLines, second.Lines[^1].Hash), await _index.PositionAsync("gw-test"));
        Assert.Equal(newLines, feeder.IndexedSeq);
    }

    [Fact]
    public async Task Lines_that_do_not_parse_are_left_out_and_the_lines_around_them_indexed()
    {
        using var journal = new TestJournal(JournalPath);
        journal.Append(TestJournal.Access(Citizen, "desk", At(0)));
        journal.Raw("not a journal line\n");
        journal.Raw("{\"entry\":{\"seq\":2,\"time\":" + new string('x', 20) + ",\"prev\":\"" + new string('0', 64) + "\",\"hash\":\"" + new string('0', 64) + "\"}\n");
        journal.Append(TestJournal.Access(Citizen, "desk", At(1)));
        journal.Append(TestJournal.Access(Citizen, "desk", At(2)));
        journal.Raw("{\"entry\":{\"seq\":4,\"time\":\"2026-11-"); // torn: a last line without its newline

        var feeder = await StartAsync();

        Assert.Equal([3L, 2, 1], (await ListAsync(CitizenSubject)).Select(a => a.Seq));
        Assert.Equal(3, feeder.IndexedSeq);
    }

    [Fact]
    public async Task Another_instances_journal_is_indexed_up_to_its_last_signed_checkpoint_under_the_instance_it_names()
    {
        var otherPath = Path.Combine(_folder, "other", "journal.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(otherPath)!);
        using var other = new TestJournal(otherPath, "gw-other");
        for (var i = 0; i < 7; i++)
        {
            other.Append(TestJournal.Access(Citizen, "other-desk", At(i)));
            if (i == 2)
            {
                other.Rotate();
            }

            if (i == 4)
            {
                other.Checkpoint();
            }
        }

        using var own = new TestJournal(JournalPath);
        own.Append(TestJournal.Access(Citizen, "own-desk", At(50)));

        await StartAsync(otherJournals: [otherPath]);

        var found = await ListAsync(CitizenSubject);
        Assert.Equal(["gw-test/1", "gw-other/5", "gw-other/4", "gw-other/3", "gw-other/2", "gw-other/1"], found.Select(a => $"{a.Instance}/{a.Seq}"));
        Assert.Equal(new JournalPosition("gw-other", 5, other.Lines[4].Hash), await _index.PositionAsync("gw-other"));
    }

    [Fact]
    public async Task An_operator_id_or_purpose_holding_an_IIN_is_withheld_live_and_in_a_rebuild_other_digits_are_kept()
    {
        using var journal = new TestJournal(JournalPath);
        var feeder = await StartAsync();
        var lines = new[]
        {
            journal.Append(TestJournal.Access(Citizen, "desk", At(0)) with { OperatorId = "061211600012" }),
            journal.Append(TestJournal.Access(Citizen, "desk", At(1)) with { OperatorId = "op-061211600012" }),
            journal.Append(TestJournal.Access(Citizen, "desk", At(2)) with { Purpose = "request-791028302728" }),
            journal.Append(TestJournal.Access(Citizen, "desk", At(3)) with { OperatorId = "0612116000123", Purpose = "case-791028302729" }),
        };
        feeder.Written("gw-test", lines);
        await feeder.WaitUntilIndexedAsync(4, Timeout());
        var live = await ListAsync(CitizenSubject);
        await using var rebuilt = new SqliteAccessHistoryIndex(Path.Combine(_folder, "rebuilt.db"));
        await rebuilt.MigrateAsync();
        await StartAsync(rebuilt);
        var fromFiles = await rebuilt.ListAsync(new AccessQuery(CitizenSubject, 0, long.MaxValue, null, [], 100));

        string[] expected = ["0612116000123 case-791028302729", "operator-1 (withheld: an IIN)", "(withheld: an IIN) citizen-enquiry", "(withheld: an IIN) citizen-enquiry"];
        Assert.Equal(expected, live.Select(a => $"{a.OperatorId} {a.Purpose}"));
        Assert.Equal(expected, fromFiles.Select(a => $"{a.OperatorId} {a.Purpose}"));
    }

    private static DateTimeOffset At(int i) => TestJournal.Day.AddMinutes(i);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static string Describe(IndexedAccess a) =>
        $"{a.Instance} {a.Seq} {a.Time:O} {a.Subject} {a.ClientId} {a.OperatorId} {a.Purpose} {a.Method} {string.Join(',', a.Providers)} {a.ConsentId} {a.Result} {a.Reason}";

    private Task<IReadOnlyList<IndexedAccess>> ListAsync(string subject) =>
        _index.ListAsync(new AccessQuery(subject, 0, long.MaxValue, null, [], 1000));

    private async Task<AccessHistoryFeeder> StartAsync(AccessHistoryIndex? index = null, int capacity = 1000, IReadOnlyList<string>? otherJournals = null)
    {
        var feeder = new AccessHistoryFeeder(index ?? _index, ("gw-test", JournalPath), otherJournals ?? [], capacity, TimeProvider.System, NullLogger.Instance);
        _feeders.Add(feeder);
        await feeder.StartAsync(CancellationToken.None);
        await feeder.CaughtUp.WaitAsync(Timeout());
        return feeder;
    }

    private async Task StopAsync(AccessHistoryFeeder feeder)
    {
        _feeders.Remove(feeder);
        await feeder.StopAsync(CancellationToken.None);
        feeder.Dispose();
    }

    /// <summary>The SQLite index, running <paramref name="meanwhile"/> once, as the first row a catch-up reads goes in.</summary>
    private sealed class RotatingIndex(string path, Action meanwhile) : SqliteAccessHistoryIndex(path)
    {
        private Action? _meanwhile = meanwhile;

        protected override Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IndexedAccess> accesses, CancellationToken cancellationToken) =>
            base.InsertAsync(connection, transaction, Hooked(accesses), cancellationToken);

        private IEnumerable<IndexedAccess> Hooked(IEnumerable<IndexedAccess> accesses)
        {
            foreach (var access in accesses)
            {
                yield return access;
                Interlocked.Exchange(ref _meanwhile, null)?.Invoke();
            }
        }
    }

    /// <summary>The SQLite index, made to fail at will where it connects (a database gone, as the feeder sees it).</summary>
    private sealed class FlakyIndex(string path) : SqliteAccessHistoryIndex(path)
    {
        private readonly TaskCompletionSource _failedOnce = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Failing;

        public Task FailedOnce => _failedOnce.Task;

        protected override Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        {
            if (Failing)
            {
                _failedOnce.TrySetResult();
                throw new SqliteException("The index's database is down (test).", 10);
            }

            return base.OpenAsync(cancellationToken);
        }
    }
}
