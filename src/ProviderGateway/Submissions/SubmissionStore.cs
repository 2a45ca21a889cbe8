using System.Data.Common;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ProviderGateway.Submissions;

/// <summary>
/// The durable store of submissions: a <c>submissions</c> table of receipts (kept) and a <c>submission_payloads</c> table of
/// sealed requests and answers (purged after the retention), on PostgreSQL (<see cref="PostgresSubmissionStore"/>, for
/// several instances) or SQLite (<see cref="SqliteSubmissionStore"/>, the embedded default). Times are Unix milliseconds of
/// the gateway's clock. Every state change is one conditional UPDATE, so two relays, a cancel and a claim can race safely;
/// an outcome is recorded only by the holder of the submission's current lease (its fencing token). The schema is created
/// and migrated at start-up (<see cref="MigrateAsync"/>), versioned in <c>schema_version</c>.
/// </summary>
/// <param name="sealer">Seals payloads and hashes citizens.</param>
/// <param name="time">The gateway's clock.</param>
/// <param name="logger">Where submissions lost to an unreadable payload are reported (submission ids only), if anywhere.</param>
public abstract class SubmissionStore(SubmissionSealer sealer, TimeProvider time, ILogger<SubmissionStore>? logger = null) : IAsyncDisposable
{
    private const string Columns =
        "seq, id, client_id, request_id, provider_id, method, district, state, accepted_at, next_attempt_at, attempts, last_status, finished_at";

    /// <summary>The indexes of schema version 1, the same in both dialects (partial indexes keep only open submissions).</summary>
    protected const string IndexesV1 = """
        CREATE INDEX submissions_open_order ON submissions (provider_id, citizen_hmac, seq) WHERE state IN (1, 2);
        CREATE INDEX submissions_due ON submissions (provider_id, next_attempt_at) WHERE state IN (1, 2);
        CREATE INDEX submissions_by_client ON submissions (client_id, seq DESC);
        CREATE INDEX submissions_by_citizen ON submissions (client_id, citizen_hmac, seq DESC);
        CREATE INDEX submissions_by_state ON submissions (client_id, state, seq DESC);
        CREATE INDEX payloads_purge ON submission_payloads (purge_after) WHERE purge_after IS NOT NULL;
        """;

    /// <summary>
    /// The submissions a claim may take, as a condition on <c>s</c>: open, due at <c>@now</c>, not leased, and the oldest open
    /// one of its citizen at its provider (acceptance order; a finished one holds nothing back). The head test is a scalar
    /// subquery, run for each candidate on the (provider, citizen, seq) index: written as NOT EXISTS, PostgreSQL turned it
    /// into an anti-join, and on the statistics of a table that had just filled (an outage's backlog, before autovacuum
    /// analysed it) compared every open row with every other (5,000 queued: 25 million comparisons, 4.9 s a claim, past
    /// the command timeout).
    /// </summary>
    protected const string DueHeads = """
        s.state IN (1, 2) AND s.next_attempt_at <= @now
          AND (s.lease_until IS NULL OR s.lease_until < @now)
          AND s.seq = (SELECT min(p.seq) FROM submissions p
                       WHERE p.provider_id = s.provider_id AND p.citizen_hmac = s.citizen_hmac AND p.state IN (1, 2))
        """;

    /// <summary>The submissions a claim for <c>@provider</c> may take, as a condition on <c>s</c> (<see cref="DueHeads"/>).</summary>
    protected const string ClaimableHeads = "s.provider_id = @provider AND " + DueHeads;

    /// <summary>
    /// When <c>@provider</c>'s earliest head of a citizen's queue with no live lease at <c>@now</c> is due (its next
    /// attempt): read in the order of the due index, so it stops at the first head. A submission behind another of its
    /// citizen is due only once that one finishes, and a leased one once its lease ends, so neither counts.
    /// </summary>
    internal const string NextDueSql = """
        SELECT s.next_attempt_at FROM submissions s
        WHERE s.provider_id = @provider AND s.state IN (1, 2) AND (s.lease_until IS NULL OR s.lease_until < @now)
          AND s.seq = (SELECT min(p.seq) FROM submissions p
                       WHERE p.provider_id = s.provider_id AND p.citizen_hmac = s.citizen_hmac AND p.state IN (1, 2))
        ORDER BY s.next_attempt_at LIMIT 1
        """;

    /// <summary>Per provider, its open submissions by state and the oldest acceptance: only the open rows are read (partial indexes).</summary>
    internal const string OpenStatisticsSql = """
        SELECT provider_id, sum(CASE WHEN state = 1 THEN 1 ELSE 0 END), sum(CASE WHEN state = 2 THEN 1 ELSE 0 END), min(accepted_at)
        FROM submissions WHERE state IN (1, 2) GROUP BY provider_id ORDER BY provider_id
        """;

    /// <summary>The receipt columns, in the order the store reads them.</summary>
    protected const string ReceiptColumns = Columns;

    /// <summary>The schema version this code writes; a database at a newer one is refused.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The last status of a submission whose sealed request could not be read (missing, altered, or under a key this gateway lacks).</summary>
    public const string DataLossStatus = "DATA_LOSS";

    /// <summary>The last status of a submission ended by <see cref="ExpireAsync"/>: it passed its maximum age undelivered.</summary>
    public const string MaxAgeExceededStatus = "MAX_AGE_EXCEEDED";

    /// <summary>The most receipts one listing returns (<see cref="SubmissionQuery.Limit"/>).</summary>
    public const int MaxListLimit = 1000;

    /// <summary>The sealer of payloads and citizens.</summary>
    protected SubmissionSealer Sealer => sealer;

    /// <summary>Where the store reports what an operator should know, if anywhere.</summary>
    protected ILogger? Logger => logger;

    /// <summary>The schema's steps, by version: each a script in this store's dialect.</summary>
    protected abstract IReadOnlyList<(int Version, string Description, string Script)> Migrations { get; }

    /// <summary>The claim statement (one per dialect): leases the oldest due heads of their citizen's queue, <c>RETURNING</c> the receipt columns.</summary>
    protected abstract string ClaimStatement { get; }

    /// <summary>The claim statement, for tests of its plan.</summary>
    internal string ClaimSql => ClaimStatement;

    /// <summary>Opens a connection, configured for durability.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins the migration's transaction, holding off every other migrating instance.</summary>
    protected abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Runs first in an acceptance's transaction: a store whose sequence is drawn before commit serialises the acceptances of
    /// one citizen at one provider here, so that acceptance order is commit order.
    /// </summary>
    protected virtual Task BeforeAcceptAsync(DbConnection connection, DbTransaction transaction, string providerId, string citizenHash, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Runs last in the migration's transaction, once the schema is current: what a store does at start-up.</summary>
    protected virtual Task AfterMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Begins a write transaction.</summary>
    protected virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Creates the schema or brings it to <see cref="SchemaVersion"/>: the store's start-up, before any claim.</summary>
    /// <exception cref="InvalidOperationException">The database is at a newer version than this code.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at bigint NOT NULL)", cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version", [], cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"The submission store is at schema version {current}, newer than this gateway's {SchemaVersion}: run a gateway of that version or newer.");
        }

        foreach (var (version, description, script) in Migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            await ExecuteAsync(connection, transaction, script, cancellationToken).ConfigureAwait(false);
            await NonQueryAsync(connection, transaction, "INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @t)", [("v", version), ("d", description), ("t", Now())], cancellationToken).ConfigureAwait(false);
        }

        await AfterMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="submission"/> as ACCEPTED, durably, before it answers; or finds the receipt of the same request
    /// stored before under its request_id (one client's request_ids are its own).
    /// </summary>
    /// <exception cref="SubmissionStoreUnavailableException">The store could not be reached or failed: nothing was stored.</exception>
    public async Task<(AcceptOutcome Outcome, SubmissionReceipt? Receipt)> AcceptAsync(NewSubmission submission, CancellationToken cancellationToken = default)
    {
        try
        {
            var id = Guid.CreateVersion7(time.GetUtcNow());
            var requestId = submission.RequestId.ToLowerInvariant();
            var citizen = sealer.CitizenHash(submission.CitizenIin);
            var digest = sealer.RequestDigest(submission.Request);
            var reached = submission.FirstAttempt is { MayHaveReachedProvider: true };
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await BeforeAcceptAsync(connection, transaction, submission.ProviderId, citizen, cancellationToken).ConfigureAwait(false);
            var inserted = await QueryReceiptsAsync(connection, transaction,
                $"INSERT INTO submissions (id, client_id, request_id, provider_id, method, district, citizen_hmac, request_digest, state, accepted_at, next_attempt_at, attempts, last_status, operator_id, purpose) " +
                $"VALUES (@id, @client, @request, @provider, @method, @district, @citizen, @digest, @state, @now, @next, @attempts, @status, @operator, @purpose) " +
                $"ON CONFLICT (client_id, request_id) DO NOTHING RETURNING {Columns}",
                [("id", id.ToString()), ("client", submission.ClientId), ("request", requestId), ("provider", submission.ProviderId), ("method", submission.Method),
                 ("district", submission.District), ("citizen", citizen), ("digest", digest), ("now", Now()), ("next", submission.FirstAttemptAt.ToUnixTimeMilliseconds()),
                 ("state", (short)(reached ? SubmissionState.OnDelivery : SubmissionState.Accepted)), ("attempts", reached ? 1 : 0), ("status", submission.FirstAttempt?.Status),
                 ("operator", submission.OperatorId), ("purpose", submission.Purpose)],
                cancellationToken).ConfigureAwait(false);
            if (inserted.Count == 1)
            {
                await NonQueryAsync(connection, transaction, "INSERT INTO submission_payloads (id, key_id, request) VALUES (@id, @key, @request)",
                    [("id", id.ToString()), ("key", sealer.KeyId), ("request", sealer.Seal(id, submission.Request))], cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (AcceptOutcome.Stored, inserted[0]);
            }

            // The request_id was used before by this client: the same request is answered with its receipt, another refused.
            var existing = (await QueryReceiptsAsync(connection, transaction, $"SELECT {Columns} FROM submissions WHERE client_id = @client AND request_id = @request",
                [("client", submission.ClientId), ("request", requestId)], cancellationToken).ConfigureAwait(false)).Single();
            var storedDigest = await ScalarAsync(connection, transaction, "SELECT request_digest FROM submissions WHERE id = @id", [("id", existing.Id.ToString())], cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            var same = Equals(storedDigest, digest) && existing.ProviderId == submission.ProviderId && existing.Method == submission.Method;
            return same ? (AcceptOutcome.AlreadyStored, existing) : (AcceptOutcome.RequestIdReused, null);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new SubmissionStoreUnavailableException($"The submission store could not store the submission: {e.GetType().Name}.", e);
        }
    }

    /// <summary>The receipt of submission <paramref name="id"/> if it is <paramref name="clientId"/>'s; <c>null</c> otherwise.</summary>
    public async Task<SubmissionReceipt?> GetAsync(string clientId, Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var found = await QueryReceiptsAsync(connection, null, $"SELECT {Columns} FROM submissions WHERE id = @id AND client_id = @client",
            [("id", id.ToString()), ("client", clientId)], cancellationToken).ConfigureAwait(false);
        return found.SingleOrDefault();
    }

    /// <summary>One client's submissions, newest first, optionally one citizen's or one state's, older than a sequence (keyset paging).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SubmissionQuery.Limit"/> is not 1 to <see cref="MaxListLimit"/>.</exception>
    public async Task<IReadOnlyList<SubmissionReceipt>> ListAsync(SubmissionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, MaxListLimit);
        var sql = $"SELECT {Columns} FROM submissions WHERE client_id = @client";
        var parameters = new List<(string, object?)> { ("client", query.ClientId), ("limit", query.Limit) };
        if (query.CitizenIin is { } iin)
        {
            sql += " AND citizen_hmac = @citizen";
            parameters.Add(("citizen", sealer.CitizenHash(iin)));
        }

        if (query.State is { } state)
        {
            sql += " AND state = @state";
            parameters.Add(("state", (short)state));
        }

        if (query.BeforeSequence is { } before)
        {
            sql += " AND seq < @before";
            parameters.Add(("before", before));
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryReceiptsAsync(connection, null, sql + " ORDER BY seq DESC LIMIT @limit", parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops submission <paramref name="id"/> of <paramref name="clientId"/> if it is still ACCEPTED (atomic against a claim):
    /// DELIVERY_STOPPED, its sealed request purged after <paramref name="retention"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retention"/> is negative.</exception>
    public async Task<CancelOutcome> CancelAsync(string clientId, Guid id, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        var now = Now();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            var stopped = await NonQueryAsync(connection, transaction,
                "UPDATE submissions SET state = 5, finished_at = @now WHERE id = @id AND client_id = @client AND state = 1",
                [("now", now), ("id", id.ToString()), ("client", clientId)], cancellationToken).ConfigureAwait(false);
            if (stopped == 1)
            {
                await NonQueryAsync(connection, transaction, "UPDATE submission_payloads SET purge_after = @purge WHERE id = @id",
                    [("purge", now + (long)retention.TotalMilliseconds), ("id", id.ToString())], cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return CancelOutcome.Stopped;
            }

            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        var found = await QueryReceiptsAsync(connection, null, $"SELECT {Columns} FROM submissions WHERE id = @id AND client_id = @client",
            [("id", id.ToString()), ("client", clientId)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? CancelOutcome.NotFound : CancelOutcome.TooLate;
    }

    /// <summary>
    /// Leases up to <paramref name="limit"/> due submissions to <paramref name="providerId"/> for one attempt each, for
    /// <paramref name="lease"/>: per citizen and provider only the oldest open one (acceptance order), none leased to another
    /// relay. They turn ON_DELIVERY. One whose sealed request cannot be read (missing, altered, or sealed under a key id this
    /// gateway does not hold) is not returned: it ends NOT_DELIVERED with <see cref="DataLossStatus"/> in the same
    /// transaction, so it holds back neither its citizen's later submissions nor its provider's (fewer than found may return).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive (SQLite reads a negative LIMIT as none).</exception>
    public async Task<IReadOnlyList<ClaimedSubmission>> ClaimAsync(string owner, string providerId, int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var token = Guid.NewGuid();
        var now = Now();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var claimed = await QueryReceiptsAsync(connection, transaction, ClaimStatement,
            [("provider", providerId), ("now", now), ("limit", limit), ("owner", owner), ("token", token.ToString()), ("until", now + (long)lease.TotalMilliseconds)],
            cancellationToken).ConfigureAwait(false);
        var result = new List<ClaimedSubmission>(claimed.Count);
        var lost = new List<(SubmissionReceipt Receipt, string Problem)>();
        foreach (var receipt in claimed.OrderBy(r => r.Sequence))
        {
            var (request, problem) = await OpenRequestAsync(connection, transaction, receipt.Id, cancellationToken).ConfigureAwait(false);
            if (request is not null)
            {
                var (operatorId, purpose) = await CallerOfAsync(connection, transaction, receipt.Sequence, cancellationToken).ConfigureAwait(false);
                result.Add(new ClaimedSubmission(receipt, token, request) { OperatorId = operatorId, Purpose = purpose });
                continue;
            }

            // Never deliverable: ended here, in the claim's transaction, or it would stay the head of its citizen's queue and
            // fail every claim of its provider. Its unreadable payload goes at the next purge.
            await NonQueryAsync(connection, transaction,
                "UPDATE submissions SET state = 4, last_status = @status, finished_at = @now, lease_owner = NULL, lease_token = NULL, lease_until = NULL " +
                "WHERE seq = @seq AND lease_token = @token",
                [("status", DataLossStatus), ("now", now), ("seq", receipt.Sequence), ("token", token.ToString())], cancellationToken).ConfigureAwait(false);
            await NonQueryAsync(connection, transaction, "UPDATE submission_payloads SET purge_after = @now WHERE id = @id",
                [("now", now), ("id", receipt.Id.ToString())], cancellationToken).ConfigureAwait(false);
            lost.Add((receipt, problem!));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (logger is not null)
        {
            foreach (var (receipt, problem) in lost)
            {
                SubmissionStoreLog.DataLoss(logger, receipt.Id, receipt.ProviderId, problem);
            }
        }

        return result;
    }

    /// <summary>Records the provider's answer: DELIVERED, its answer sealed until <paramref name="purgeAfter"/>. False when the lease was lost.</summary>
    public Task<bool> DeliveredAsync(ClaimedSubmission claimed, byte[] response, DateTimeOffset purgeAfter, CancellationToken cancellationToken = default) =>
        FinishAsync(claimed, SubmissionState.Delivered, "OK", response, purgeAfter, cancellationToken);

    /// <summary>
    /// Records several answers at once, in one transaction (one commit to disk for them all): DELIVERED, each answer sealed
    /// until <paramref name="purgeAfter"/>. For each, false when its lease was lost.
    /// </summary>
    public async Task<IReadOnlyList<bool>> DeliveredAsync(IReadOnlyList<(ClaimedSubmission Claimed, byte[] Response)> answers, DateTimeOffset purgeAfter, CancellationToken cancellationToken = default)
    {
        var recorded = new bool[answers.Count];
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < answers.Count; i++)
        {
            recorded[i] = await FinishInAsync(connection, transaction, answers[i].Claimed, SubmissionState.Delivered, "OK", answers[i].Response, purgeAfter, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return recorded;
    }

    /// <summary>Records a definitive refusal (or a submission past its age): NOT_DELIVERED, the provider's status details sealed. False when the lease was lost.</summary>
    public Task<bool> NotDeliveredAsync(ClaimedSubmission claimed, string status, byte[] details, DateTimeOffset purgeAfter, CancellationToken cancellationToken = default) =>
        FinishAsync(claimed, SubmissionState.NotDelivered, status, details, purgeAfter, cancellationToken);

    /// <summary>
    /// Puts a submission back for another attempt at <paramref name="next"/>: ON_DELIVERY if any attempt reached the provider,
    /// ACCEPTED (cancellable) if none did (refused before the wire). False when the lease was lost.
    /// </summary>
    public async Task<bool> RetryLaterAsync(ClaimedSubmission claimed, string? status, bool reachedProvider, DateTimeOffset next, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var updated = await NonQueryAsync(connection, null,
            "UPDATE submissions SET attempts = attempts + @reached, state = CASE WHEN attempts + @reached > 0 THEN 2 ELSE 1 END, " +
            "last_status = coalesce(@status, last_status), next_attempt_at = @next, lease_owner = NULL, lease_token = NULL, lease_until = NULL " +
            "WHERE id = @id AND lease_token = @token AND state = 2",
            [("reached", reachedProvider ? 1 : 0), ("status", status), ("next", next.ToUnixTimeMilliseconds()), ("id", claimed.Receipt.Id.ToString()), ("token", claimed.LeaseToken.ToString())],
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>
    /// Whether <paramref name="citizenIin"/> has a submission to <paramref name="providerId"/> not yet finished (ACCEPTED or
    /// ON_DELIVERY): a new write of that citizen to that provider queues behind it rather than overtake it.
    /// </summary>
    /// <exception cref="SubmissionStoreUnavailableException">The store could not be reached or failed.</exception>
    public async Task<bool> HasOpenAsync(string providerId, string citizenIin, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            var found = await ScalarAsync(connection, null,
                "SELECT 1 FROM submissions WHERE provider_id = @provider AND citizen_hmac = @citizen AND state IN (1, 2) LIMIT 1",
                [("provider", providerId), ("citizen", sealer.CitizenHash(citizenIin))], cancellationToken).ConfigureAwait(false);
            return found is not null and not DBNull;
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new SubmissionStoreUnavailableException($"The submission store could not be read: {e.GetType().Name}.", e);
        }
    }

    /// <summary>
    /// When a claim for <paramref name="providerId"/> may next lease something: the earliest next attempt among its open
    /// submissions at the head of their citizen's queue and not leased; <c>null</c> when there is none. It may be in the
    /// past (due now). A lease that ends, another instance or a new acceptance can make something due sooner, so a relay
    /// sleeps until then, capped.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(string providerId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var next = await ScalarAsync(connection, null, NextDueSql, [("provider", providerId), ("now", Now())], ct).ConfigureAwait(false);
        return next is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(next, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Per provider with open submissions (in provider order): how many are ACCEPTED and ON_DELIVERY, and when the oldest was accepted.</summary>
    public async Task<IReadOnlyList<OpenSubmissionStats>> OpenStatisticsAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, null, OpenStatisticsSql, []);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var statistics = new List<OpenSubmissionStats>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            statistics.Add(new OpenSubmissionStats(
                reader.GetString(0),
                Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return statistics;
    }

    /// <summary>
    /// Ends the open submissions accepted more than <paramref name="maxAge"/> ago that no relay holds (no live lease):
    /// NOT_DELIVERED with <see cref="MaxAgeExceededStatus"/> (whatever their last status was), finished now, their sealed
    /// requests purged after <paramref name="retention"/>; their attempts stay as counted. One held by a relay is left to
    /// its outcome, or to a later call once its lease ends. A submission behind another of its citizen is ended too (it is
    /// younger, so the one ahead is ended or being attempted). Returns their receipts as ended, in acceptance order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAge"/> is not positive, or <paramref name="retention"/> is negative.</exception>
    public async Task<IReadOnlyList<SubmissionReceipt>> ExpireAsync(TimeSpan maxAge, TimeSpan retention, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        var now = Now();
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, ct).ConfigureAwait(false);
        var expired = await QueryReceiptsAsync(connection, transaction,
            "UPDATE submissions SET state = 4, last_status = @status, finished_at = @now, lease_owner = NULL, lease_token = NULL, lease_until = NULL " +
            $"WHERE state IN (1, 2) AND accepted_at < @cutoff AND (lease_until IS NULL OR lease_until < @now) RETURNING {Columns}",
            [("status", MaxAgeExceededStatus), ("now", now), ("cutoff", now - (long)maxAge.TotalMilliseconds)], ct).ConfigureAwait(false);

        // By id, after the receipts are ended (and, on PostgreSQL, locked): a claim can no longer take them meanwhile.
        foreach (var chunk in expired.Chunk(500))
        {
            var names = chunk.Select((_, i) => "@id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var parameters = new List<(string, object?)>(chunk.Length + 1) { ("purge", now + (long)retention.TotalMilliseconds) };
            parameters.AddRange(chunk.Select((receipt, i) => ((string, object?))(names[i][1..], receipt.Id.ToString())));
            await NonQueryAsync(connection, transaction, $"UPDATE submission_payloads SET purge_after = @purge WHERE id IN ({string.Join(", ", names)})", parameters, ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return [.. expired.OrderBy(r => r.Sequence)];
    }

    /// <summary>Deletes the sealed payloads whose retention ended (at most <paramref name="batch"/>); the receipts stay.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    public async Task<int> PurgeAsync(int batch, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await NonQueryAsync(connection, null,
            "DELETE FROM submission_payloads WHERE id IN (SELECT id FROM submission_payloads WHERE purge_after IS NOT NULL AND purge_after < @now LIMIT @batch)",
            [("now", Now()), ("batch", batch)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sealed answer (or refusal details) of a finished submission, opened; <c>null</c> when none or purged.</summary>
    /// <exception cref="SubmissionUnreadableException">It was sealed under a key this gateway no longer holds, or altered.</exception>
    public async Task<byte[]?> ResponseAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT key_id, response FROM submission_payloads WHERE id = @id", [("id", id.ToString())]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(1))
        {
            return null;
        }

        var keyId = reader.GetInt16(0);
        try
        {
            return sealer.Open(id, keyId, (byte[])reader.GetValue(1));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new SubmissionUnreadableException(id, keyId, e);
        }
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>True for a failure of the store itself (unreachable, I/O, timeout), as opposed to a bug.</summary>
    protected virtual bool IsStoreFailure(Exception failure) =>
        failure is DbException or SocketException or TimeoutException or IOException;

    /// <summary>Runs a script of several statements.</summary>
    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string script, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, script, []);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<bool> FinishAsync(ClaimedSubmission claimed, SubmissionState state, string status, byte[] payload, DateTimeOffset purgeAfter, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var updated = await FinishInAsync(connection, transaction, claimed, state, status, payload, purgeAfter, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    private async Task<bool> FinishInAsync(DbConnection connection, DbTransaction transaction, ClaimedSubmission claimed, SubmissionState state, string status, byte[] payload, DateTimeOffset purgeAfter, CancellationToken cancellationToken)
    {
        var id = claimed.Receipt.Id;
        var updated = await NonQueryAsync(connection, transaction,
            "UPDATE submissions SET state = @state, attempts = attempts + 1, last_status = @status, finished_at = @now, lease_owner = NULL, lease_token = NULL, lease_until = NULL " +
            "WHERE id = @id AND lease_token = @token AND state = 2",
            [("state", (short)state), ("status", status), ("now", Now()), ("id", id.ToString()), ("token", claimed.LeaseToken.ToString())], cancellationToken).ConfigureAwait(false);
        if (updated == 1)
        {
            // One key id per payload row: the request is sealed again with the answer, under the current key (it may have
            // been sealed under an earlier one before a rotation).
            await NonQueryAsync(connection, transaction, "UPDATE submission_payloads SET key_id = @key, request = @request, response = @response, purge_after = @purge WHERE id = @id",
                [("key", sealer.KeyId), ("request", sealer.Seal(id, claimed.Request)), ("response", sealer.Seal(id, payload)), ("purge", purgeAfter.ToUnixTimeMilliseconds()), ("id", id.ToString())],
                cancellationToken).ConfigureAwait(false);
        }

        return updated == 1;
    }

    /// <summary>The operator and purpose a submission was made with.</summary>
    private static async Task<(string OperatorId, string Purpose)> CallerOfAsync(DbConnection connection, DbTransaction transaction, long sequence, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT operator_id, purpose FROM submissions WHERE seq = @seq", [("seq", sequence)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : ("", "");
    }

    /// <summary>The sealed request of submission <paramref name="id"/>, opened; or, when it cannot be, why (no personal data).</summary>
    private async Task<(byte[]? Request, string? Problem)> OpenRequestAsync(DbConnection connection, DbTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        short keyId;
        byte[] sealedRequest;
        await using (var command = Command(connection, transaction, "SELECT key_id, request FROM submission_payloads WHERE id = @id", [("id", id.ToString())]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (null, "its payload row is missing");
            }

            keyId = reader.GetInt16(0);
            sealedRequest = (byte[])reader.GetValue(1);
        }

        if (!sealer.Holds(keyId))
        {
            return (null, $"it is sealed under key {keyId}, which this gateway does not hold (it holds {sealer.KeysHeld}; an earlier key goes under Gateway:Submissions:PreviousSealKeys)");
        }

        try
        {
            return (sealer.Open(id, keyId, sealedRequest), null);
        }
        catch (CryptographicException)
        {
            return (null, $"its sealed request does not open under key {keyId} (altered, or sealed under another key of that id)");
        }
    }

    private static async Task<List<SubmissionReceipt>> QueryReceiptsAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var receipts = new List<SubmissionReceipt>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            receipts.Add(new SubmissionReceipt(
                Guid.Parse(reader.GetString(1)),
                reader.GetInt64(0),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                (SubmissionState)reader.GetInt16(7),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
                reader.GetInt32(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12))));
        }

        return receipts;
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one statement with parameters; the rows it changed.</summary>
    protected static async Task<int> NonQueryAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

/// <summary>The submission store's log lines: submission and provider ids only, never personal data.</summary>
internal static partial class SubmissionStoreLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Error, Message = "Submission {SubmissionId} to provider {ProviderId} cannot be delivered: {Problem}. It ended NOT_DELIVERED with DATA_LOSS; its desk must submit it again")]
    public static partial void DataLoss(ILogger logger, Guid submissionId, string providerId, string problem);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Submission store {Path}: {Count} leases left by an earlier process released; their submissions are due again")]
    public static partial void LeasesReleased(ILogger logger, string path, int count);
}
