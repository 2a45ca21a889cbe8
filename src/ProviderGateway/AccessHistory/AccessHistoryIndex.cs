using System.Data.Common;
using System.Globalization;
using System.Text;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// The access history's index: a row per journal line about a citizen (<see cref="IndexedAccess"/>), keyed by the instance
/// whose journal holds it and its seq, so that feeding a line twice (the live feed and a rebuild, two instances reading one
/// journal) changes nothing and the lines of several instances' journals sit side by side; an index on (subject, time,
/// instance, seq), so that one citizen's month is one range scan; and per journal, how far it is fed and the hash of that
/// line (<see cref="JournalPosition"/>), moved in the same transaction as the rows. It holds no IIN: the subject is the
/// journal's HMAC. The journal stays the source of truth: the index may be deleted at any time and is rebuilt from the
/// journal files (<see cref="AccessHistoryFeeder"/>).
/// SQLite (<see cref="SqliteAccessHistoryIndex"/>, one instance) or PostgreSQL (<see cref="PostgresAccessHistoryIndex"/>,
/// shared), the same tables. Times are Unix milliseconds.
/// </summary>
public abstract class AccessHistoryIndex : IAsyncDisposable
{
    /// <summary>The schema version this code writes; a database at a newer one is refused.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The columns of a row, in the order statements bind and read them.</summary>
    protected const string Columns = "instance, seq, at, subject, client_id, operator_id, purpose, method, providers, consent_id, result, reason";

    /// <summary>What the index is, for logs (a file, a database), without secrets.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The statements of schema version 1, idempotent (<c>IF NOT EXISTS</c>): run at every start-up, so tables someone dropped
    /// are made again (and then rebuilt from the journal). The rows' table is laid out as the first, unversioned index was
    /// (its rows stay); that index's positions (<c>access_history_fed</c>, seqs without hashes) are dropped, and the journals
    /// read once more to find them again.
    /// </summary>
    protected abstract string SchemaScript { get; }

    /// <summary>The statement telling whether table <c>@table</c> exists (one row when it does).</summary>
    protected abstract string TableExistsSql { get; }

    /// <summary>Opens a connection, configured.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins the migration's transaction, holding off any other instance migrating the same database.</summary>
    protected virtual async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Begins a write transaction.</summary>
    protected virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Inserts <paramref name="accesses"/>, leaving those already there (same journal and seq) as they are. They may be
    /// enumerated as they are inserted (read from the journal files meanwhile): a store that takes them one by one holds
    /// none of them once inserted.
    /// </summary>
    protected abstract Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IndexedAccess> accesses, CancellationToken cancellationToken);

    /// <summary>The condition leaving out the rows of <paramref name="clients"/> (added to <paramref name="command"/>'s parameters), or empty for none.</summary>
    protected abstract string NotAmong(DbCommand command, IReadOnlyCollection<string> clients);

    /// <summary>
    /// Creates the tables and indexes where missing (<see cref="SchemaScript"/>); a rows table that had to be made anew means
    /// the index was deleted, so every journal position is forgotten with it and the journals are fed again from their start.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database is at a newer schema version than this code.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
        var hadRows = await ScalarAsync(connection, transaction, TableExistsSql, [("table", "access_history")], cancellationToken).ConfigureAwait(false) is not null;
        await ExecuteAsync(connection, transaction, SchemaScript, cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT coalesce(max(version), 0) FROM access_history_schema", [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"The access history's index is at schema version {current}, newer than this gateway's {SchemaVersion}: run a gateway of that version or newer.");
        }

        if (current < SchemaVersion)
        {
            await NonQueryAsync(connection, transaction, "INSERT INTO access_history_schema (version, applied_at) VALUES (@v, @t)",
                [("v", SchemaVersion), ("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())], cancellationToken).ConfigureAwait(false);
        }

        if (!hadRows)
        {
            await NonQueryAsync(connection, transaction, "DELETE FROM access_history_journals", [], cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How far the journal of instance <paramref name="instance"/> is fed, or <c>null</c> when none of it is.</summary>
    public async Task<JournalPosition?> PositionAsync(string instance, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT seq, hash FROM access_history_journals WHERE instance = @instance", [("instance", instance)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new JournalPosition(instance, reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Adds <paramref name="accesses"/> of the journal of instance <paramref name="instance"/> and records it fed up to line
    /// <paramref name="seq"/> (hash <paramref name="hash"/>), in one transaction; a position never moves back.
    /// </summary>
    public async Task AddAsync(string instance, IReadOnlyList<IndexedAccess> accesses, long seq, string hash, CancellationToken cancellationToken = default) =>
        await AddAsync(instance, accesses.Count > 0 ? accesses : null, () => (seq, hash), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Adds the accesses <paramref name="accesses"/> yields, enumerated inside the transaction as they are inserted (the
    /// rebuild reads them from the journal files into a large transaction without holding them all in memory), then records
    /// the journal fed up to the line <paramref name="position"/> names once they are read; nothing is written when it
    /// names none (the position did not move, or the journal is not the index's: a new chain).
    /// </summary>
    public async Task AddAsync(string instance, IEnumerable<IndexedAccess>? accesses, Func<(long Seq, string Hash)?> position, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (accesses is not null)
        {
            await InsertAsync(connection, transaction, accesses, cancellationToken).ConfigureAwait(false);
        }

        if (position() is not { } at)
        {
            return; // rolled back
        }

        var (seq, hash) = at;
        await NonQueryAsync(connection, transaction, """
            INSERT INTO access_history_journals (instance, seq, hash, fed_at) VALUES (@instance, @seq, @hash, @now)
            ON CONFLICT (instance) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, fed_at = excluded.fed_at
            WHERE excluded.seq > access_history_journals.seq
            """,
            [("instance", instance), ("seq", seq), ("hash", hash), ("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())], cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every row of instance <paramref name="instance"/>'s journal and its position: its chain was replaced, it is fed again from its start.</summary>
    public async Task ForgetAsync(string instance, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await NonQueryAsync(connection, transaction, "DELETE FROM access_history WHERE instance = @instance", [("instance", instance)], cancellationToken).ConfigureAwait(false);
        await NonQueryAsync(connection, transaction, "DELETE FROM access_history_journals WHERE instance = @instance", [("instance", instance)], cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One citizen's accesses in <paramref name="query"/>'s range, newest first (then by instance and seq, descending), after
    /// its cursor, without the withheld clients' rows, at most its limit: one range scan of the subject index.
    /// </summary>
    public async Task<IReadOnlyList<IndexedAccess>> ListAsync(AccessQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "", [("subject", query.Subject), ("from", query.FromMs), ("to", query.ToMs), ("limit", query.Limit)]);
        var sql = new StringBuilder($"SELECT {Columns} FROM access_history WHERE subject = @subject AND at >= @from AND at < @to");
        if (query.After is { } after)
        {
            sql.Append(" AND (at < @at OR (at = @at AND (instance < @instance OR (instance = @instance AND seq < @seq))))");
            Add(command, "at", after.TimeMs);
            Add(command, "instance", after.Instance);
            Add(command, "seq", after.Seq);
        }

        if (query.WithheldClients.Count > 0)
        {
            sql.Append(" AND ").Append(NotAmong(command, query.WithheldClients));
        }

        command.CommandText = sql.Append(" ORDER BY at DESC, instance DESC, seq DESC LIMIT @limit").ToString();
        var found = new List<IndexedAccess>(Math.Min(query.Limit, 512));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(new IndexedAccess(
                reader.GetString(0),
                reader.GetInt64(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                IndexedAccess.ProvidersOf(reader.GetString(8)),
                reader.GetString(9) is { Length: > 0 } consent ? consent : null,
                reader.GetString(10),
                reader.GetString(11) is { Length: > 0 } reason ? reason : null));
        }

        return found;
    }

    /// <summary>The rows of instance <paramref name="instance"/>'s journal, or of every journal (for tests and checks).</summary>
    public async Task<long> CountAsync(string? instance = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var count = instance is null
            ? await ScalarAsync(connection, null, "SELECT count(*) FROM access_history", [], cancellationToken).ConfigureAwait(false)
            : await ScalarAsync(connection, null, "SELECT count(*) FROM access_history WHERE instance = @instance", [("instance", instance)], cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(count, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Runs a script of one or more statements without parameters.</summary>
    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string script, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, script, []);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one statement with parameters; the rows it changed.</summary>
    protected static async Task<int> NonQueryAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command with parameters (a <c>null</c> value is SQL NULL).</summary>
    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    /// <summary>Adds a parameter (a <c>null</c> value is SQL NULL).</summary>
    protected static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
