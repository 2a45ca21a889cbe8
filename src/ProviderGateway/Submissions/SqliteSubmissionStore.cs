using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ProviderGateway.Submissions;

/// <summary>
/// The submission store in a SQLite file: the embedded default, for one gateway instance (a file beside the journal). The
/// file is in WAL mode and every connection commits with <c>synchronous=FULL</c> (an OK receipt means the row is on disk);
/// writes take the file's write lock at once (<c>BEGIN IMMEDIATE</c>), so a claim and a cancel never interleave. Only one
/// process uses the file: leases left by an earlier process (killed mid-delivery) are released at start-up
/// (<see cref="ReleaseLeasesAsync"/>) for immediate recovery.
/// </summary>
public sealed class SqliteSubmissionStore : SubmissionStore
{
    private readonly string _connectionString;

    /// <summary>A store in the file <paramref name="path"/> (created if missing).</summary>
    public SqliteSubmissionStore(string path, SubmissionSealer sealer, TimeProvider time, ILogger<SubmissionStore>? logger = null)
        : base(sealer, time, logger)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ConnectionString;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<(int Version, string Description, string Script)> Migrations { get; } =
    [
        (1, "submissions and their sealed payloads", """
            CREATE TABLE submissions (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              id TEXT NOT NULL UNIQUE,
              client_id TEXT NOT NULL,
              request_id TEXT NOT NULL,
              provider_id TEXT NOT NULL,
              method TEXT NOT NULL,
              district TEXT NOT NULL,
              citizen_hmac TEXT NOT NULL,
              request_digest TEXT NOT NULL,
              state INTEGER NOT NULL,
              accepted_at INTEGER NOT NULL,
              next_attempt_at INTEGER NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              last_status TEXT NULL,
              finished_at INTEGER NULL,
              lease_owner TEXT NULL,
              lease_token TEXT NULL,
              lease_until INTEGER NULL,
              UNIQUE (client_id, request_id));
            CREATE TABLE submission_payloads (
              id TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
              key_id INTEGER NOT NULL,
              request BLOB NOT NULL,
              response BLOB NULL,
              purge_after INTEGER NULL) WITHOUT ROWID;
            """ + IndexesV1),
    ];

    /// <inheritdoc />
    protected override string ClaimStatement { get; } = $"""
        UPDATE submissions SET state = 2, lease_owner = @owner, lease_token = @token, lease_until = @until
        WHERE seq IN (
          SELECT s.seq FROM submissions s
          WHERE {ClaimableHeads}
          ORDER BY s.next_attempt_at, s.seq
          LIMIT @limit)
        RETURNING {ReceiptColumns}
        """;

    /// <summary>Releases the leases an earlier process held (it was killed mid-delivery): those submissions are due again at once.</summary>
    public async Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE submissions SET lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL AND lease_owner <> @owner";
        command.Parameters.Add(new SqliteParameter("owner", owner));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // Per connection (pooled connections keep them): commits reach the disk; a writer waits for another; cascades apply.
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <inheritdoc />
    protected override bool IsStoreFailure(Exception failure) => failure is SqliteException || base.IsStoreFailure(failure);
}
