using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ProviderGateway.AccessHistory;

/// <summary>The access history's index in a SQLite file of its own (0600), beside the journal by default.</summary>
public sealed class SqliteAccessHistoryIndex : AccessHistoryIndex
{
    private readonly string _connectionString;

    /// <summary>An index in the file <paramref name="path"/>, created (0600) if missing.</summary>
    public SqliteAccessHistoryIndex(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ConnectionString;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    protected override string SchemaScript => """
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
          PRIMARY KEY (instance, seq)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS access_history_by_subject ON access_history (subject, at DESC, instance DESC, seq DESC);
        CREATE TABLE IF NOT EXISTS access_history_fed (instance TEXT PRIMARY KEY, seq INTEGER NOT NULL);
        """;

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using (new FileStream(Path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
            }
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    /// <remarks>SQLite runs in the process: one statement prepared once and run per row is its fastest way.</remarks>
    protected override async Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<IndexedAccess> accesses, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = SingleRowInsert;
        var parameters = new DbParameter[12];
        for (var c = 0; c < parameters.Length; c++)
        {
            parameters[c] = insert.CreateParameter();
            parameters[c].ParameterName = $"@p{c}";
            insert.Parameters.Add(parameters[c]);
        }

        insert.Prepare();
        foreach (var access in accesses)
        {
            var values = ValuesOf(access);
            for (var c = 0; c < values.Length; c++)
            {
                parameters[c].Value = values[c];
            }

            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return base.DisposeAsync();
    }
}
