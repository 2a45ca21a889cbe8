using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// The access history's index in a SQLite file of its own (by default <c>&lt;journal&gt;.access-history.db</c> beside the
/// journal), not in the submission store's file: SQLite has one writer at a time per file, and the index's batches must
/// never hold up an acceptance, nor a rebuild (or a deleted index) touch a receipt. WAL (queries read while the feeder
/// writes), <c>synchronous=NORMAL</c>: a power cut may lose the last batches, rows and position together, which the
/// next start-up feeds again from the journal. The file and its WAL are 0600: they hold HMACs, clients, operators and
/// purposes, nobody else's to read.
/// </summary>
public class SqliteAccessHistoryIndex : AccessHistoryIndex
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private bool _fileReady;

    /// <summary>An index in the file <paramref name="path"/>, created (0600, with its folder) at its first use.</summary>
    public SqliteAccessHistoryIndex(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ConnectionString;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Description => $"SQLite file {Path}";

    /// <inheritdoc />
    protected override string SchemaScript => """
        CREATE TABLE IF NOT EXISTS access_history_schema (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS access_history (
          instance TEXT NOT NULL,
          seq INTEGER NOT NULL,
          at INTEGER NOT NULL,
          subject TEXT NOT NULL,
          client_id TEXT NOT NULL,
          operator_id TEXT NOT NULL,
          purpose TEXT NOT NULL,
          method TEXT NOT NULL,
          providers TEXT NOT NULL,
          consent_id TEXT NOT NULL,
          result TEXT NOT NULL,
          reason TEXT NOT NULL,
          PRIMARY KEY (instance, seq)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS access_history_by_subject ON access_history (subject, at DESC, instance DESC, seq DESC);
        CREATE TABLE IF NOT EXISTS access_history_journals (
          instance TEXT PRIMARY KEY,
          seq INTEGER NOT NULL,
          hash TEXT NOT NULL,
          fed_at INTEGER NOT NULL) WITHOUT ROWID;
        DROP TABLE IF EXISTS access_history_fed;
        """;

    /// <inheritdoc />
    protected override string TableExistsSql => "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @table";

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        KeepOwnerOnly();
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragmas = connection.CreateCommand();
        // 16 MiB of page cache per connection (SQLite's default is 2 MiB): the subject index takes its rows in random order,
        // and with its pages in memory a batch costs about half the CPU (measured: AccessHistoryCostTests).
        pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-16384;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    /// <remarks>Takes the write lock at once (<c>BEGIN IMMEDIATE</c>): a migration's read then write never meets another writer's lock midway.</remarks>
    protected override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <inheritdoc />
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <inheritdoc />
    /// <remarks>
    /// SQLite runs in the process: one statement, prepared once and run per row, is its fastest way in; each row is let go
    /// once inserted (a rebuild's rows are read from the files as they go in, never a whole transaction's in memory).
    /// </remarks>
    protected override async Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IndexedAccess> accesses, CancellationToken cancellationToken)
    {
        await using var insert = (SqliteCommand)connection.CreateCommand();
        insert.Transaction = (SqliteTransaction)transaction;
        insert.CommandText = $"INSERT INTO access_history ({Columns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11) ON CONFLICT (instance, seq) DO NOTHING";
        var p = new SqliteParameter[12];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = insert.Parameters.Add($"@p{i}", i is 1 or 2 ? SqliteType.Integer : SqliteType.Text);
        }

        insert.Prepare();
        foreach (var access in accesses)
        {
            p[0].Value = access.Instance;
            p[1].Value = access.Seq;
            p[2].Value = access.Time.ToUnixTimeMilliseconds();
            p[3].Value = access.Subject;
            p[4].Value = access.ClientId;
            p[5].Value = access.OperatorId;
            p[6].Value = access.Purpose;
            p[7].Value = access.Method;
            p[8].Value = access.ProviderList;
            p[9].Value = access.ConsentId ?? "";
            p[10].Value = access.Result;
            p[11].Value = access.Reason ?? "";
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override string NotAmong(DbCommand command, IReadOnlyCollection<string> clients)
    {
        var sql = new StringBuilder("client_id NOT IN (");
        var i = 0;
        foreach (var client in clients)
        {
            var name = $"w{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            sql.Append(i++ > 0 ? ", @" : "@").Append(name);
            Add(command, name, client);
        }

        return sql.Append(')').ToString();
    }

    // Created 0600 before SQLite opens it (SQLite gives its WAL and shared memory the file's mode); an existing file, WAL or
    // shared memory readable by others is tightened. Checked once per process, and again after the file was deleted.
    private void KeepOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        lock (_gate)
        {
            if (_fileReady && File.Exists(Path))
            {
                return;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            if (!File.Exists(Path))
            {
                using var created = new FileStream(Path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
            }

            foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
            {
                if (File.Exists(file) && (File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
                {
                    File.SetUnixFileMode(file, OwnerOnly);
                }
            }

            _fileReady = true;
        }
    }
}
