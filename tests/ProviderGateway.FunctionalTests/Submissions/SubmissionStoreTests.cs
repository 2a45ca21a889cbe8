using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.Submissions;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Submissions;

/// <summary>The SQLite store (the embedded default) in a real file.</summary>
public sealed class SqliteSubmissionStoreTests : SubmissionStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pg-submissions-").FullName;

    /// <inheritdoc />
    protected override Task<SubmissionStore> CreateStoreAsync(string name) =>
        Task.FromResult<SubmissionStore>(new SqliteSubmissionStore(Path.Combine(_folder, name + ".db"), Sealer, Time, Log));

    /// <inheritdoc />
    protected override async Task<byte[]> DumpAsync(string name)
    {
        // Everything on disk: the database file and its write-ahead log.
        SqliteConnection.ClearAllPools();
        var path = Path.Combine(_folder, name + ".db");
        var bytes = new List<byte>(await File.ReadAllBytesAsync(path));
        if (File.Exists(path + "-wal"))
        {
            bytes.AddRange(await File.ReadAllBytesAsync(path + "-wal"));
        }

        return [.. bytes];
    }

    /// <inheritdoc />
    protected override string ExplainPrefix => "EXPLAIN QUERY PLAN";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenDatabaseAsync(string name)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, name + ".db"), Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task A_store_whose_file_cannot_be_written_gives_no_receipt()
    {
        var gone = Path.Combine(_folder, "removed", "submissions.db");
        await using var store = new SqliteSubmissionStore(gone, Sealer, Time);

        await Assert.ThrowsAsync<SubmissionStoreUnavailableException>(() => store.AcceptAsync(
            new NewSubmission("akimat-karasai", Guid.NewGuid().ToString(), "alatau-power", "CreateMeterReading", "195200000", "791028302728", [1, 2, 3], Time.GetUtcNow())));
    }

    [Fact]
    public async Task A_second_store_on_the_same_file_is_refused_naming_it_until_the_first_is_disposed()
    {
        var path = Path.Combine(_folder, "single.db");
        var first = new SqliteSubmissionStore(path, Sealer, Time);
        await first.MigrateAsync();
        await using var second = new SqliteSubmissionStore(path, Sealer, Time);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.MigrateAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.AcceptAsync(
            new NewSubmission("akimat-karasai", Guid.NewGuid().ToString(), "alatau-power", "CreateMeterReading", "195200000", "791028302728", [1], Time.GetUtcNow())));
        var byAnotherProcess = await ChildProcess.RunAsync(new ProcessCommand("flock", ["--nonblock", path + ".lock", "true"]), TimeSpan.FromSeconds(30));
        await first.DisposeAsync();
        await second.MigrateAsync();

        Assert.Contains($"Another gateway process uses the submission store {path}", refused.Message, StringComparison.Ordinal);
        Assert.NotEqual(0, byAnotherProcess.ExitCode);
    }

    [Fact]
    public async Task A_file_another_process_holds_is_refused_and_taken_once_that_process_is_gone()
    {
        var path = Path.Combine(_folder, "held.db");
        await using var holder = await ChildProcess.StartAsync("flock", new ProcessCommand("flock", [path + ".lock", "sh", "-c", "echo held; exec sleep 60"]), new Regex("held"));
        await using var store = new SqliteSubmissionStore(path, Sealer, Time);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync());
        await holder.KillAsync();
        await store.MigrateAsync();

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leases_left_by_a_killed_process_are_released_at_start_up_and_a_later_migration_keeps_this_process_leases()
    {
        var path = Path.Combine(_folder, "restart.db");
        var killed = new SqliteSubmissionStore(path, Sealer, Time);
        await killed.MigrateAsync();
        foreach (var iin in new[] { "791028302728", "580203420876" })
        {
            await killed.AcceptAsync(new NewSubmission("akimat-karasai", Guid.NewGuid().ToString(), "alatau-power", "CreateMeterReading", "195200000", iin, [1], Time.GetUtcNow()));
        }

        var inFlight = await killed.ClaimAsync("gateway-1", "alatau-power", 10, TimeSpan.FromMinutes(5));

        // Gone mid-delivery, its leases 5 minutes from their end (the OS drops the lock of a killed process as disposal does).
        await killed.DisposeAsync();

        // The same instance name after the restart: the release does not depend on the owner.
        await using var restarted = new SqliteSubmissionStore(path, Sealer, Time, Log);
        await restarted.MigrateAsync();
        var resumed = await restarted.ClaimAsync("gateway-1", "alatau-power", 10, TimeSpan.FromMinutes(5));
        await restarted.MigrateAsync();
        var afterSecondMigration = await restarted.ClaimAsync("gateway-1", "alatau-power", 10, TimeSpan.FromMinutes(5));

        Assert.Equal(2, inFlight.Count);
        Assert.Equal(inFlight.Select(c => c.Receipt.Id).Order(), resumed.Select(c => c.Receipt.Id).Order());
        Assert.Empty(afterSecondMigration);
        Assert.Contains(Log.Lines, line => line.Contains("2 leases left by an earlier process released", StringComparison.Ordinal));
        Assert.Equal(2, await restarted.ReleaseLeasesAsync());
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The PostgreSQL store (several instances) on a real server.</summary>
public sealed class PostgresSubmissionStoreTests : SubmissionStoreTests, IClassFixture<PostgresSubmissionStoreTests.Server>
{
    private readonly PostgresServer _server;

    /// <summary>Runs against the class's server, a database per test.</summary>
    public PostgresSubmissionStoreTests(Server server) => _server = server.Postgres;

    /// <inheritdoc />
    protected override async Task<SubmissionStore> CreateStoreAsync(string name)
    {
        var database = $"t_{name}_{Guid.NewGuid():N}";
        await using (var connection = await _server.OpenAsync())
        {
            await using var create = connection.CreateCommand();
            create.CommandText = $"CREATE DATABASE {database}";
            await create.ExecuteNonQueryAsync();
        }

        _databases[name] = database;
        return new PostgresSubmissionStore(new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database }.ConnectionString, Sealer, Time, Log);
    }

    /// <inheritdoc />
    protected override async Task<byte[]> DumpAsync(string name)
    {
        var dump = await ScriptRunner.RunProgramAsync("setpriv", "--reuid", "postgres", "--regid", "postgres", "--init-groups", "--",
            Path.Combine(PostgresServer.BinFolder, "pg_dump"), "-h", "127.0.0.1", "-p", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", _databases[name]);
        Assert.True(dump.ExitCode == 0, dump.Error);
        return Encoding.UTF8.GetBytes(dump.Output);
    }

    private readonly Dictionary<string, string> _databases = [];

    /// <inheritdoc />
    protected override string ExplainPrefix => "EXPLAIN";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenDatabaseAsync(string name)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _databases[name] }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task A_stopped_database_gives_no_receipt_and_a_restarted_one_takes_submissions_again()
    {
        // A server of its own: this test kills it.
        await using var server = await PostgresServer.StartAsync();
        await using var store = new PostgresSubmissionStore(server.ConnectionString, Sealer, Time);
        await store.MigrateAsync();
        var submission = new NewSubmission("akimat-karasai", Guid.NewGuid().ToString(), "alatau-power", "CreateMeterReading", "195200000", "791028302728", [1, 2, 3], Time.GetUtcNow());

        await server.KillAsync();
        await Assert.ThrowsAsync<SubmissionStoreUnavailableException>(() => store.AcceptAsync(submission));
        await server.StartAgainAsync();
        var accepted = await store.AcceptAsync(submission);

        Assert.Equal(AcceptOutcome.Stored, accepted.Outcome);
    }

    [Fact]
    public async Task The_configured_options_and_timeouts_stay_and_commits_are_synchronous_whatever_the_options_or_the_database_say()
    {
        await using (await CreateStoreAsync("options"))
        {
        }

        var database = _databases["options"];
        await ExecuteAsync("options", $"ALTER DATABASE {database} SET synchronous_commit = off");
        var configured = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = _server.Port, Username = "postgres", Database = database, Options = "-c statement_timeout=4000 -c synchronous_commit=off",
        };
        await using var store = new PostgresSubmissionStore(configured.ConnectionString, Sealer, Time);
        await store.MigrateAsync();
        await using var timed = new PostgresSubmissionStore(configured.ConnectionString + ";Timeout=7;CommandTimeout=9;Max Auto Prepare=0;No Reset On Close=false", Sealer, Time);

        var effective = new NpgsqlConnectionStringBuilder(store.ConnectionString);
        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var statementTimeout = new NpgsqlCommand("SHOW statement_timeout", connection);
        await using var synchronousCommit = new NpgsqlCommand("SHOW synchronous_commit", connection);

        Assert.Equal("4s", await statementTimeout.ExecuteScalarAsync());
        Assert.Equal("on", await synchronousCommit.ExecuteScalarAsync());
        Assert.Equal((5, 5), (effective.Timeout, effective.CommandTimeout));
        Assert.Equal((7, 9), (new NpgsqlConnectionStringBuilder(timed.ConnectionString).Timeout, new NpgsqlConnectionStringBuilder(timed.ConnectionString).CommandTimeout));
        Assert.Equal((32, true), (effective.MaxAutoPrepare, effective.NoResetOnClose));
        Assert.Equal((0, false), (new NpgsqlConnectionStringBuilder(timed.ConnectionString).MaxAutoPrepare, new NpgsqlConnectionStringBuilder(timed.ConnectionString).NoResetOnClose));
        Assert.Equal(AcceptOutcome.Stored, (await store.AcceptAsync(new NewSubmission("akimat-karasai", Guid.NewGuid().ToString(), "alatau-power", "CreateMeterReading", "195200000", "791028302728", [1], Time.GetUtcNow()))).Outcome);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>One PostgreSQL server for the class.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public PostgresServer Postgres { get; private set; } = null!;

        public async Task InitializeAsync() => Postgres = await PostgresServer.StartAsync();

        public async Task DisposeAsync() => await Postgres.DisposeAsync();
    }
}

/// <summary>
/// The durable store of submissions, the same rules on both databases (fake time): one receipt per client and request_id,
/// another client's submissions invisible, cancellation only while ACCEPTED, per citizen and provider one open submission
/// attempted at a time in acceptance order, leases that expire and fence, sealed payloads purged after retention while the
/// receipts stay, and no IIN in clear anywhere in the database.
/// </summary>
public abstract class SubmissionStoreTests : IAsyncDisposable
{
    private const string Provider = "alatau-power";
    private const string Client = "akimat-karasai";
    private const string Iin = "791028302728";
    private const string OtherIin = "580203420876";
    private const string ThirdIin = "650417350219";
    private const string FourthIin = "020311600555";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <summary>Fake time: leases and retention move only when a test says so.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));

    /// <summary>What the stores log.</summary>
    protected LogLines Log { get; } = new();

    /// <summary>The sealer, with fresh keys.</summary>
    protected SubmissionSealer Sealer { get; } = new(RandomNumberGenerator.GetBytes(32), 1, RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task One_receipt_per_client_and_request_id_and_a_reused_request_id_with_another_request_is_refused()
    {
        await using var store = await MigratedAsync("idempotency");
        var request = Submission(Iin, "7F1C2A9E-5B3D-4C1E-9A8F-0D6E4B2C1A3F", "reading 100");

        var first = await store.AcceptAsync(request);
        var again = await store.AcceptAsync(request with { RequestId = request.RequestId.ToLowerInvariant() });
        var different = await store.AcceptAsync(request with { Request = Encoding.UTF8.GetBytes("reading 200") });
        var otherClient = await store.AcceptAsync(request with { ClientId = "akimat-ili" });

        Assert.Equal(AcceptOutcome.Stored, first.Outcome);
        Assert.Equal(SubmissionState.Accepted, first.Receipt!.State);
        Assert.Equal((AcceptOutcome.AlreadyStored, first.Receipt.Id), (again.Outcome, again.Receipt!.Id));
        Assert.Equal(AcceptOutcome.RequestIdReused, different.Outcome);
        Assert.Equal(AcceptOutcome.Stored, otherClient.Outcome);
        Assert.NotEqual(first.Receipt.Id, otherClient.Receipt!.Id);
    }

    [Fact]
    public async Task A_client_sees_only_its_own_submissions_newest_first_by_citizen_or_state_page_by_page()
    {
        await using var store = await MigratedAsync("listing");
        var ids = new List<Guid>();
        foreach (var (iin, n) in new[] { (Iin, 1), (OtherIin, 2), (Iin, 3) })
        {
            ids.Add((await store.AcceptAsync(Submission(iin, NewRequestId(), $"reading {n}"))).Receipt!.Id);
        }

        await store.AcceptAsync(Submission(Iin, NewRequestId(), "someone else's") with { ClientId = "akimat-ili" });
        await store.CancelAsync(Client, ids[0], Retention);

        var all = await store.ListAsync(new SubmissionQuery(Client, null, null, null, 10));
        var firstPage = await store.ListAsync(new SubmissionQuery(Client, null, null, null, 2));
        var secondPage = await store.ListAsync(new SubmissionQuery(Client, null, null, firstPage[^1].Sequence, 2));
        var citizen = await store.ListAsync(new SubmissionQuery(Client, Iin, null, null, 10));
        var stopped = await store.ListAsync(new SubmissionQuery(Client, null, SubmissionState.DeliveryStopped, null, 10));

        Assert.Equal([ids[2], ids[1], ids[0]], all.Select(r => r.Id));
        Assert.Equal([ids[2], ids[1], ids[0]], firstPage.Concat(secondPage).Select(r => r.Id));
        Assert.Equal([ids[2], ids[0]], citizen.Select(r => r.Id));
        Assert.Equal([ids[0]], stopped.Select(r => r.Id));
        Assert.Null(await store.GetAsync("akimat-ili", ids[1]));
        Assert.Equal(ids[1], (await store.GetAsync(Client, ids[1]))!.Id);
    }

    [Fact]
    public async Task Cancel_stops_an_accepted_submission_for_good_and_is_too_late_once_it_is_on_delivery()
    {
        await using var store = await MigratedAsync("cancel");
        var stoppedOne = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "a"))).Receipt!;
        var deliveredOne = (await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "b"))).Receipt!;

        var stopped = await store.CancelAsync(Client, stoppedOne.Id, Retention);
        var claimed = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
        var tooLate = await store.CancelAsync(Client, deliveredOne.Id, Retention);
        var notFound = await store.CancelAsync("akimat-ili", deliveredOne.Id, Retention);

        Assert.Equal(CancelOutcome.Stopped, stopped);
        Assert.Equal([deliveredOne.Id], claimed.Select(c => c.Receipt.Id));
        Assert.Equal(CancelOutcome.TooLate, tooLate);
        Assert.Equal(CancelOutcome.NotFound, notFound);
        Assert.Equal(SubmissionState.DeliveryStopped, (await store.GetAsync(Client, stoppedOne.Id))!.State);
    }

    [Fact]
    public async Task A_cancelled_submissions_sealed_request_is_purged_after_the_retention_and_its_receipt_stays()
    {
        await using var store = await MigratedAsync("cancel_purge");
        var receipt = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "r"))).Receipt!;

        Assert.Equal(CancelOutcome.Stopped, await store.CancelAsync(Client, receipt.Id, Retention));
        var beforeRetention = await store.PurgeAsync(100);
        Time.Advance(Retention + TimeSpan.FromSeconds(1));
        var afterRetention = await store.PurgeAsync(100);

        Assert.Equal((0, 1), (beforeRetention, afterRetention));
        Assert.Equal(["0"], await QueryAsync("cancel_purge", "SELECT count(*) FROM submission_payloads"));
        Assert.Equal(SubmissionState.DeliveryStopped, (await store.GetAsync(Client, receipt.Id))!.State);
    }

    [Fact]
    public async Task Per_citizen_one_open_submission_is_attempted_at_a_time_in_acceptance_order_and_a_refused_one_does_not_hold_back_the_next()
    {
        await using var store = await MigratedAsync("order");
        var first = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "first"))).Receipt!;
        var second = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "second"))).Receipt!;
        var other = (await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "other"))).Receipt!;

        var heads = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
        var byAnotherRelay = await store.ClaimAsync("relay-b", Provider, 10, TimeSpan.FromSeconds(30));
        var refused = heads.Single(c => c.Receipt.Id == first.Id);
        Assert.True(await store.NotDeliveredAsync(refused, "FailedPrecondition", Encoding.UTF8.GetBytes("details"), Time.GetUtcNow().AddDays(30)));
        var next = await store.ClaimAsync("relay-b", Provider, 10, TimeSpan.FromSeconds(30));

        Assert.Equal(new[] { first.Id, other.Id }.Order(), heads.Select(c => c.Receipt.Id).Order());
        Assert.Equal("first", Encoding.UTF8.GetString(refused.Request));
        Assert.Empty(byAnotherRelay);
        Assert.Equal([second.Id], next.Select(c => c.Receipt.Id));
        Assert.Equal(SubmissionState.NotDelivered, (await store.GetAsync(Client, first.Id))!.State);
    }

    [Fact]
    public async Task A_claim_of_no_submissions_and_a_listing_of_none_or_too_many_are_refused_before_the_database()
    {
        await using var store = await MigratedAsync("guards");
        await store.AcceptAsync(Submission(Iin, NewRequestId(), "r"));

        foreach (var limit in new[] { 0, -1 })
        {
            Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ClaimAsync("relay-a", Provider, limit, TimeSpan.FromSeconds(30)))).ParamName);
        }

        foreach (var limit in new[] { 0, -1, SubmissionStore.MaxListLimit + 1 })
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListAsync(new SubmissionQuery(Client, null, null, null, limit)));
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PurgeAsync(-1));
        Assert.Single(await store.ListAsync(new SubmissionQuery(Client, null, null, null, SubmissionStore.MaxListLimit)));
        Assert.Single(await store.ClaimAsync("relay-a", Provider, 1, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_submission_whose_sealed_request_cannot_be_read_ends_DATA_LOSS_in_the_claim_and_holds_back_nothing()
    {
        await using var store = await MigratedAsync("data_loss");
        var unknownKey = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "under key 9"))).Receipt!;
        var behindIt = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "behind it"))).Receipt!;
        var altered = (await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "altered"))).Receipt!;
        var missing = (await store.AcceptAsync(Submission(ThirdIin, NewRequestId(), "missing"))).Receipt!;
        var intact = (await store.AcceptAsync(Submission(FourthIin, NewRequestId(), "intact"))).Receipt!;
        await ExecuteAsync("data_loss", "UPDATE submission_payloads SET key_id = 9 WHERE id = @id", ("id", unknownKey.Id.ToString()));
        await FlipLastByteAsync("data_loss", altered.Id);
        await ExecuteAsync("data_loss", "DELETE FROM submission_payloads WHERE id = @id", ("id", missing.Id.ToString()));

        Time.Advance(TimeSpan.FromSeconds(5));
        var claimedAt = Time.GetUtcNow();
        var claimed = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
        var next = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        var purged = await store.PurgeAsync(100);

        Assert.Equal([intact.Id], claimed.Select(c => c.Receipt.Id));
        Assert.Equal([behindIt.Id], next.Select(c => c.Receipt.Id));
        Assert.Equal("behind it", Encoding.UTF8.GetString(next[0].Request));
        foreach (var lost in new[] { unknownKey, altered, missing })
        {
            var receipt = (await store.GetAsync(Client, lost.Id))!;
            Assert.Equal((SubmissionState.NotDelivered, SubmissionStore.DataLossStatus, 0), (receipt.State, receipt.LastStatus, receipt.Attempts));
            Assert.Equal(claimedAt, receipt.FinishedAt);
            Assert.Single(Log.Lines, line => line.Contains(lost.Id.ToString(), StringComparison.Ordinal));
        }

        Assert.Equal(2, purged);
        Assert.All(Log.Lines, line => Assert.DoesNotContain(Iin, line, StringComparison.Ordinal));
        Assert.Contains(Log.Lines, line => line.Contains("key 9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_lease_passes_the_submission_to_another_relay_and_the_first_relays_outcome_is_no_longer_recorded()
    {
        await using var store = await MigratedAsync("lease");
        var receipt = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "r"))).Receipt!;
        var byA = (await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30))).Single();

        Time.Advance(TimeSpan.FromSeconds(31));
        var byB = (await store.ClaimAsync("relay-b", Provider, 10, TimeSpan.FromSeconds(30))).Single();
        var lateA = await store.DeliveredAsync(byA, Encoding.UTF8.GetBytes("answer A"), Time.GetUtcNow().AddDays(30));
        var b = await store.DeliveredAsync(byB, Encoding.UTF8.GetBytes("answer B"), Time.GetUtcNow().AddDays(30));

        Assert.Equal(receipt.Id, byB.Receipt.Id);
        Assert.False(lateA);
        Assert.True(b);
        Assert.Equal("answer B", Encoding.UTF8.GetString((await store.ResponseAsync(receipt.Id))!));
        Assert.Equal((SubmissionState.Delivered, 1), ((await store.GetAsync(Client, receipt.Id))!.State, (await store.GetAsync(Client, receipt.Id))!.Attempts));
    }

    [Fact]
    public async Task A_retry_is_due_at_its_time_and_stays_cancellable_only_if_no_attempt_reached_the_provider()
    {
        await using var store = await MigratedAsync("retry");
        var notReached = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "a"))).Receipt!;
        var reached = (await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "b"))).Receipt!;
        var claimed = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));

        await store.RetryLaterAsync(claimed.Single(c => c.Receipt.Id == notReached.Id), null, reachedProvider: false, Time.GetUtcNow().AddSeconds(10));
        await store.RetryLaterAsync(claimed.Single(c => c.Receipt.Id == reached.Id), "Unavailable", reachedProvider: true, Time.GetUtcNow().AddSeconds(10));
        var waiting = (await store.GetAsync(Client, notReached.Id))!.State;
        var attempted = await store.GetAsync(Client, reached.Id);
        var tooEarly = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromSeconds(10));
        var due = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));

        Assert.Empty(tooEarly);
        Assert.Equal(2, due.Count);
        Assert.Equal(SubmissionState.Accepted, waiting);
        Assert.Equal((SubmissionState.OnDelivery, 1, "Unavailable"), (attempted!.State, attempted.Attempts, attempted.LastStatus));
    }

    [Fact]
    public async Task A_request_id_reused_with_another_request_after_the_purge_is_still_refused()
    {
        await using var store = await MigratedAsync("reuse_after_purge");
        var request = Submission(Iin, NewRequestId(), "reading 100");
        var receipt = (await store.AcceptAsync(request)).Receipt!;
        var claimed = (await store.ClaimAsync("relay-a", Provider, 1, TimeSpan.FromSeconds(30))).Single();
        await store.DeliveredAsync(claimed, Encoding.UTF8.GetBytes("answer"), Time.GetUtcNow().AddDays(1));
        Time.Advance(TimeSpan.FromDays(2));
        await store.PurgeAsync(100);

        var same = await store.AcceptAsync(request);
        var another = await store.AcceptAsync(request with { Request = Encoding.UTF8.GetBytes("reading 200"), CitizenIin = OtherIin });

        Assert.Equal((AcceptOutcome.AlreadyStored, receipt.Id), (same.Outcome, same.Receipt!.Id));
        Assert.Equal(AcceptOutcome.RequestIdReused, another.Outcome);
    }

    [Fact]
    public async Task Sealing_from_many_threads_at_once_gives_values_that_all_open_to_what_was_sealed()
    {
        var id = Guid.CreateVersion7();
        var failures = 0;
        await Parallel.ForAsync(0, 8, async (worker, _) =>
        {
            await Task.Yield();
            for (var i = 0; i < 5_000; i++)
            {
                var plain = Encoding.UTF8.GetBytes($"worker {worker} value {i}");
                if (!Sealer.Open(id, Sealer.KeyId, Sealer.Seal(id, plain)).AsSpan().SequenceEqual(plain))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void The_sealer_refuses_a_short_seal_key_a_short_citizen_key_and_one_key_for_both_without_showing_them()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var cases = new (byte[] SealKey, byte[] CitizenKey, string Parameter)[]
        {
            (RandomNumberGenerator.GetBytes(16), key, "sealKey"),
            (RandomNumberGenerator.GetBytes(33), key, "sealKey"),
            (key, RandomNumberGenerator.GetBytes(31), "citizenKey"),
            (key, [], "citizenKey"),
            (key, key.ToArray(), "citizenKey"),
        };

        foreach (var (sealKey, citizenKey, parameter) in cases)
        {
            var refused = Assert.Throws<ArgumentException>(() => new SubmissionSealer(sealKey, 1, citizenKey));
            Assert.Equal(parameter, refused.ParamName);
            foreach (var material in new[] { sealKey, citizenKey }.Where(k => k.Length > 0))
            {
                Assert.DoesNotContain(Convert.ToHexString(material), refused.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Convert.ToBase64String(material), refused.Message, StringComparison.Ordinal);
            }
        }

        using var longCitizenKey = new SubmissionSealer(key, 1, RandomNumberGenerator.GetBytes(64));
        Assert.Equal(64, longCitizenKey.CitizenHash(Iin).Length);
    }

    [Fact]
    public async Task After_the_retention_the_sealed_payloads_are_purged_and_the_receipts_stay()
    {
        await using var store = await MigratedAsync("purge");
        var receipt = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "r"))).Receipt!;
        var claimed = (await store.ClaimAsync("relay-a", Provider, 1, TimeSpan.FromSeconds(30))).Single();
        await store.DeliveredAsync(claimed, Encoding.UTF8.GetBytes("answer"), Time.GetUtcNow().AddDays(30));

        var beforeRetention = await store.PurgeAsync(100);
        Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        var afterRetention = await store.PurgeAsync(100);

        Assert.Equal(0, beforeRetention);
        Assert.Equal(1, afterRetention);
        Assert.Null(await store.ResponseAsync(receipt.Id));
        Assert.Equal(SubmissionState.Delivered, (await store.GetAsync(Client, receipt.Id))!.State);
    }

    [Fact]
    public async Task A_providers_next_due_time_counts_only_what_a_claim_would_take()
    {
        await using var store = await MigratedAsync("due");
        var start = Time.GetUtcNow();
        var noneDue = await DueAsync(store);
        var head = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "head") with { FirstAttemptAt = start.AddSeconds(5) })).Receipt!;
        await store.AcceptAsync(Submission(Iin, NewRequestId(), "behind the head"));
        await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "later, elsewhere") with { ProviderId = "kaz-water", FirstAttemptAt = start.AddMinutes(10) });

        var dueAtFirst = await DueAsync(store);
        Time.Advance(TimeSpan.FromSeconds(5));
        var claimed = (await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30))).Single();
        var whileLeased = await DueAsync(store);
        Time.Advance(TimeSpan.FromSeconds(31));
        var leaseEnded = await DueAsync(store);
        await store.RetryLaterAsync(claimed, "Unavailable", reachedProvider: true, Time.GetUtcNow().AddMinutes(1));
        var backingOff = await DueAsync(store);

        Assert.Equal(head.Id, claimed.Receipt.Id);
        Assert.Equal((null, null), noneDue);
        Assert.Equal((start.AddSeconds(5), start.AddMinutes(10)), dueAtFirst);
        Assert.Equal((null, start.AddMinutes(10)), whileLeased);
        Assert.Equal((start.AddSeconds(5), start.AddMinutes(10)), leaseEnded);
        Assert.Equal((start.AddSeconds(36).AddMinutes(1), start.AddMinutes(10)), backingOff);

        static async Task<(DateTimeOffset? Provider, DateTimeOffset? Other)> DueAsync(SubmissionStore store) =>
            (await store.NextDueAsync(Provider), await store.NextDueAsync("kaz-water"));
    }

    [Fact]
    public async Task Open_statistics_count_each_providers_open_submissions_by_state_with_the_oldest_acceptance()
    {
        await using var store = await MigratedAsync("statistics");
        var start = Time.GetUtcNow();
        await store.AcceptAsync(Submission(Iin, NewRequestId(), "oldest"));
        Time.Advance(TimeSpan.FromMinutes(1));
        await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "second"));
        await store.AcceptAsync(Submission(Iin, NewRequestId(), "elsewhere") with { ProviderId = "kaz-water" });
        var stopped = (await store.AcceptAsync(Submission(ThirdIin, NewRequestId(), "stopped") with { ProviderId = "qazpost" })).Receipt!;
        await store.CancelAsync(Client, stopped.Id, Retention);
        await store.ClaimAsync("relay-a", Provider, 1, TimeSpan.FromSeconds(30));

        var statistics = await store.OpenStatisticsAsync();

        Assert.Equal(
            [new OpenSubmissionStats(Provider, 1, 1, start), new OpenSubmissionStats("kaz-water", 1, 0, start.AddMinutes(1))],
            statistics);
    }

    [Fact]
    public async Task Expiry_ends_the_open_submissions_past_their_maximum_age_that_no_relay_holds_and_purges_them_later()
    {
        await using var store = await MigratedAsync("expiry");
        var retried = (await store.AcceptAsync(Submission(ThirdIin, NewRequestId(), "retried"))).Receipt!;
        var attempt = (await store.ClaimAsync("relay-a", Provider, 1, TimeSpan.FromSeconds(30))).Single();
        await store.RetryLaterAsync(attempt, "Unavailable", reachedProvider: true, Time.GetUtcNow().AddHours(30));
        var head = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "head"))).Receipt!;
        var behind = (await store.AcceptAsync(Submission(Iin, NewRequestId(), "behind"))).Receipt!;
        var held = (await store.AcceptAsync(Submission(OtherIin, NewRequestId(), "held") with { ProviderId = "kaz-water" })).Receipt!;
        Time.Advance(TimeSpan.FromHours(2));
        var young = (await store.AcceptAsync(Submission(FourthIin, NewRequestId(), "young"))).Receipt!;
        Time.Advance(TimeSpan.FromHours(22) + TimeSpan.FromMinutes(50));
        await store.ClaimAsync("relay-b", "kaz-water", 1, TimeSpan.FromMinutes(30));
        Time.Advance(TimeSpan.FromMinutes(10));
        var expiredAt = Time.GetUtcNow();

        var expired = await store.ExpireAsync(TimeSpan.FromHours(24), Retention);
        var again = await store.ExpireAsync(TimeSpan.FromHours(24), Retention);
        Time.Advance(Retention + TimeSpan.FromSeconds(1));
        var purged = await store.PurgeAsync(100);

        Assert.Equal([retried.Id, head.Id, behind.Id], expired.Select(r => r.Id));
        Assert.All(expired, r => Assert.Equal((SubmissionState.NotDelivered, SubmissionStore.MaxAgeExceededStatus, expiredAt), (r.State, r.LastStatus, r.FinishedAt)));
        Assert.Equal([1, 0, 0], expired.Select(r => r.Attempts));
        Assert.Empty(again);
        Assert.Equal(3, purged);
        Assert.Equal(SubmissionState.OnDelivery, (await store.GetAsync(Client, held.Id))!.State);
        Assert.Equal(SubmissionState.Accepted, (await store.GetAsync(Client, young.Id))!.State);
        Assert.Equal(["2"], await QueryAsync("expiry", "SELECT count(*) FROM submission_payloads"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ExpireAsync(TimeSpan.Zero, Retention));
    }

    [Fact]
    public async Task The_relays_and_the_metrics_queries_read_only_open_submissions_not_every_receipt()
    {
        await using var store = await MigratedAsync("open_plans");
        await SeedFinishedAsync("open_plans", 20_000);
        await store.AcceptAsync(Submission(Iin, NewRequestId(), "open"));
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();

        foreach (var sql in new[] { SubmissionStore.NextDueSql, SubmissionStore.OpenStatisticsSql })
        {
            var plan = string.Join("\n", await QueryAsync("open_plans", $"{ExplainPrefix} {sql}", ("now", now), ("provider", Provider)));

            // A plain scan of the table reads every finished receipt; a partial index holds only the open ones.
            Assert.False(plan.Contains("Seq Scan on submissions", StringComparison.Ordinal), plan);
            Assert.False(Regex.IsMatch(plan, @"SCAN (submissions|s|p)\b(?! USING)"), plan);
            Assert.True(plan.Contains("submissions_due", StringComparison.Ordinal) || plan.Contains("submissions_open_order", StringComparison.Ordinal), plan);
        }

        // The next due time is read in the due index's order and stops at the first head, not sorted out of the whole queue.
        var nextDue = string.Join("\n", await QueryAsync("open_plans", $"{ExplainPrefix} {SubmissionStore.NextDueSql}", ("now", now), ("provider", Provider)));
        Assert.DoesNotContain("Sort", nextDue, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", nextDue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claim_on_a_backlog_never_analysed_reads_the_first_due_heads_in_index_order_not_every_pair_of_rows()
    {
        // An outage's backlog fills the table faster than autovacuum analyses it: the planner believes it empty. Written as
        // NOT EXISTS, the head test became an anti-join comparing every open row with every other (4.9 s for 5,000).
        await using var store = await MigratedAsync("backlog_plan");
        await ExecuteAsync("backlog_plan", """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO submissions (id, client_id, request_id, provider_id, method, district, citizen_hmac, request_digest, state, accepted_at, next_attempt_at, attempts)
            SELECT 'queued-' || i, 'client-7', 'request-' || i, 'kaz-water', 'CreateMeterReading', '195200000', 'citizen-' || i, 'digest', 1, 0, i % 10, 0 FROM n
            """);
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();

        foreach (var sql in new[] { store.ClaimSql, SubmissionStore.NextDueSql })
        {
            var plan = string.Join("\n", await QueryAsync("backlog_plan", $"{ExplainPrefix} {sql}",
                ("provider", "kaz-water"), ("now", now), ("limit", 16), ("owner", "relay-a"), ("token", Guid.NewGuid().ToString()), ("until", now + 30_000)));

            Assert.DoesNotContain("Anti Join", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
            Assert.True(plan.Contains("submissions_due", StringComparison.Ordinal), plan);
        }
    }

    [Fact]
    public async Task A_clients_listing_without_filters_reads_its_own_index_not_every_receipt()
    {
        await using var store = await MigratedAsync("list_plan");
        await SeedFinishedAsync("list_plan", 20_000);

        var plan = string.Join("\n", await QueryAsync("list_plan", $"{ExplainPrefix} SELECT seq, id FROM submissions WHERE client_id = 'client-7' ORDER BY seq DESC LIMIT 50"));

        Assert.True(plan.Contains("submissions_by_client", StringComparison.Ordinal), plan);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_IIN_is_in_clear_anywhere_in_the_database_and_migrating_again_changes_nothing()
    {
        var store = await MigratedAsync("scan");
        await using (store)
        {
            foreach (var iin in new[] { Iin, OtherIin })
            {
                await store.AcceptAsync(Submission(iin, NewRequestId(), $"{{\"iin\":\"{iin}\"}}"));
            }

            var claimed = await store.ClaimAsync("relay-a", Provider, 10, TimeSpan.FromSeconds(30));
            foreach (var c in claimed)
            {
                await store.DeliveredAsync(c, Encoding.UTF8.GetBytes($"answer for {Iin}"), Time.GetUtcNow().AddDays(30));
            }

            await store.MigrateAsync();
            Assert.Equal(2, (await store.ListAsync(new SubmissionQuery(Client, null, SubmissionState.Delivered, null, 10))).Count);
        }

        var dump = Encoding.Latin1.GetString(await DumpAsync("scan"));
        Assert.DoesNotContain(Iin, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherIin, dump, StringComparison.Ordinal);
        Assert.Contains("submissions", dump, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>A new, empty store named <paramref name="name"/>.</summary>
    protected abstract Task<SubmissionStore> CreateStoreAsync(string name);

    /// <summary>Every byte the database <paramref name="name"/> holds (its files, or a dump).</summary>
    protected abstract Task<byte[]> DumpAsync(string name);

    /// <summary>A connection of the test's own to the database <paramref name="name"/>, beside the store's.</summary>
    protected abstract Task<DbConnection> OpenDatabaseAsync(string name);

    /// <summary>Runs <paramref name="sql"/> on the database <paramref name="name"/> behind the store's back.</summary>
    protected async Task<int> ExecuteAsync(string name, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenDatabaseAsync(name);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (parameterName, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = parameterName;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>What makes a statement show its plan, rather than run (one line per row, in the last column).</summary>
    protected abstract string ExplainPrefix { get; }

    /// <summary>
    /// Puts <paramref name="count"/> DELIVERED receipts straight into the database <paramref name="name"/> (100 clients taking
    /// turns, 5 providers, no payloads) and refreshes the planner's statistics: a store that has served for a while.
    /// </summary>
    private async Task SeedFinishedAsync(string name, int count)
    {
        await ExecuteAsync(name, $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO submissions (id, client_id, request_id, provider_id, method, district, citizen_hmac, request_digest, state, accepted_at, next_attempt_at, attempts, last_status, finished_at)
            SELECT 'seeded-' || i, 'client-' || (i % 100), 'request-' || i, 'provider-' || (i % 5), 'CreateMeterReading', '195200000', 'citizen-' || i, 'digest', 3, 0, 0, 1, 'OK', 0 FROM n
            """);
        await ExecuteAsync(name, "ANALYZE");
    }

    /// <summary>Alters one byte of the sealed request of submission <paramref name="id"/>, as damage or tampering would.</summary>
    private async Task FlipLastByteAsync(string name, Guid id)
    {
        byte[] sealedRequest;
        await using (var connection = await OpenDatabaseAsync(name))
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT request FROM submission_payloads WHERE id = '{id}'";
            sealedRequest = (byte[])(await read.ExecuteScalarAsync())!;
        }

        sealedRequest[^1] ^= 0x01;
        Assert.Equal(1, await ExecuteAsync(name, "UPDATE submission_payloads SET request = @request WHERE id = @id", ("request", sealedRequest), ("id", id.ToString())));
    }

    /// <summary>The last column of every row <paramref name="sql"/> gives on the database <paramref name="name"/>, as text.</summary>
    protected async Task<List<string>> QueryAsync(string name, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenDatabaseAsync(name);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (parameterName, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = parameterName;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(reader.FieldCount - 1), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return rows;
    }

    private async Task<SubmissionStore> MigratedAsync(string name)
    {
        var store = await CreateStoreAsync(name);
        await store.MigrateAsync();
        return store;
    }

    private NewSubmission Submission(string iin, string requestId, string request) =>
        new(Client, requestId, Provider, "CreateMeterReading", "195200000", iin, Encoding.UTF8.GetBytes(request), Time.GetUtcNow());

    private static string NewRequestId() => Guid.NewGuid().ToString();
}

/// <summary>A logger that keeps every line it is given, formatted.</summary>
public sealed class LogLines : ILogger<SubmissionStore>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    /// <summary>The lines so far, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)}");
}
