using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ProviderGateway.Submissions;

/// <summary>
/// The submission store in a SQLite file: the embedded default, for one gateway instance (a file beside the journal). The
/// file is in WAL mode and every connection commits with <c>synchronous=FULL</c> (an OK receipt means the row is on disk);
/// writes take the file's write lock at once (<c>BEGIN IMMEDIATE</c>), so a claim and a cancel never interleave. Only one
/// process uses the file: the store holds <c>&lt;path&gt;.lock</c> exclusively from its first use
/// (<see cref="SubmissionStore.MigrateAsync"/> at start-up) until it is disposed, and a second store on the file, in this
/// process or another, is refused. So any lease found at start-up was left by an earlier process (killed mid-delivery):
/// the first migration releases them all (<see cref="ReleaseLeasesAsync"/>), and their submissions are due again at once.
/// </summary>
public sealed class SqliteSubmissionStore : SubmissionStore
{
    private const string ReleaseAll =
        "UPDATE submissions SET lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE lease_until IS NOT NULL";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _path;
    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private FileStream? _fileLock;
    private bool _disposed;
    private bool _leasesReleased;

    /// <summary>A store in the file <paramref name="path"/> (created if missing); the file is taken at its first use.</summary>
    public SqliteSubmissionStore(string path, SubmissionSealer sealer, TimeProvider time, ILogger<SubmissionStore>? logger = null)
        : base(sealer, time, logger)
    {
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ConnectionString;
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
              operator_id TEXT NOT NULL DEFAULT '',
              purpose TEXT NOT NULL DEFAULT '',
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

    /// <summary>
    /// Releases every lease: those submissions are due again at once. Safe only while this process has no attempt in flight
    /// (a lease released under a running relay lets a second attempt start); the first <see cref="SubmissionStore.MigrateAsync"/>
    /// does it at start-up.
    /// </summary>
    /// <returns>How many leases were released.</returns>
    public async Task<int> ReleaseLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await NonQueryAsync(connection, null, ReleaseAll, [], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        lock (_gate)
        {
            _disposed = true;
            _fileLock?.Dispose();
            _fileLock = null;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>The first migration of this store releases every lease: this process holds the file, so none is its own yet.</remarks>
    protected override async Task AfterMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (_leasesReleased)
        {
            // A later migration in this process: the leases are its relay's.
            return;
        }

        var released = await NonQueryAsync(connection, transaction, ReleaseAll, [], cancellationToken).ConfigureAwait(false);
        _leasesReleased = true;
        if (released > 0 && Logger is not null)
        {
            SubmissionStoreLog.LeasesReleased(Logger, _path, released);
        }
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        HoldFile();
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

    /// <summary>Takes <c>&lt;path&gt;.lock</c> exclusively (an OS lock: released when the process ends, however it ends), once.</summary>
    /// <exception cref="InvalidOperationException">Another store, in this process or another, holds the file.</exception>
    private void HoldFile()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_fileLock is not null)
            {
                return;
            }

            var lockPath = _path + ".lock";
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnly;
                }

                _fileLock = new FileStream(lockPath, options);
                KeepOwnerOnly();
            }
            catch (IOException e) when (IsHeldElsewhere(e))
            {
                throw new InvalidOperationException(
                    $"Another gateway process uses the submission store {_path} (it holds {lockPath}). A SQLite store serves one process: " +
                    "stop the other gateway, give this one another file, or use PostgreSQL for several instances.", e);
            }
        }
    }

    // The store's file is the owner's only, like the journal beside it (0600): it is created so before SQLite opens it, and
    // an existing one (or its WAL and shared memory, which SQLite creates with the file's mode) readable by others is
    // tightened. Receipts hold no IIN, but client, operator, purpose, district and the citizen's HMAC are nobody else's.
    private void KeepOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(_path))
        {
            using var created = new FileStream(_path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }

        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-journal" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }

    // The OS refused the lock, as opposed to a missing folder or a read-only disk: EWOULDBLOCK from flock (Linux 11, macOS
    // 35), a sharing or lock violation on Windows.
    private static bool IsHeldElsewhere(IOException failure) =>
        failure.GetType() == typeof(IOException) && failure.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);
}
