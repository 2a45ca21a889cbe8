using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// The access history's index in PostgreSQL, shared by every instance: each feeds its own journal's lines (keyed by its
/// instance id), so any instance answers for all. Its own tables beside the submission store's in the same database
/// (by default <c>Gateway:Submissions:ConnectionString</c>), with their own schema version (<c>access_history_schema</c>),
/// created under an advisory lock so instances starting together do it one after the other. A batch is one statement
/// (arrays unnested), one round trip. Commits are as the server's default: a commit lost in a crash loses rows and
/// position together, fed again from the journal.
/// </summary>
public sealed class PostgresAccessHistoryIndex : AccessHistoryIndex
{
    // pg_advisory_xact_lock key of the index's migrations (another than the submission store's).
    private const long MigrationLock = 7_340_022;

    // Seconds to connect, and per command, unless the connection string says otherwise (as the submission store).
    private const int DefaultTimeoutSeconds = 5;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// An index on the database of <paramref name="connectionString"/>: connecting and each command time out after 5 s unless
    /// it sets <c>Timeout</c> or <c>Command Timeout</c>; statements are prepared per connection.
    /// </summary>
    public PostgresAccessHistoryIndex(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("Timeout"))
        {
            builder.Timeout = DefaultTimeoutSeconds;
        }

        if (!given.Contains("Command Timeout"))
        {
            builder.CommandTimeout = DefaultTimeoutSeconds;
        }

        if (!given.Contains("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 16;
        }

        if (!given.Contains("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        ConnectionString = builder.ConnectionString;
        Description = $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}";
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>The connection string the index connects with (the configured one, completed).</summary>
    internal string ConnectionString { get; }

    /// <inheritdoc />
    public override string Description { get; }

    /// <inheritdoc />
    protected override string SchemaScript => """
        CREATE TABLE IF NOT EXISTS access_history_schema (version integer PRIMARY KEY, applied_at bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS access_history (
          instance text NOT NULL,
          seq bigint NOT NULL,
          at bigint NOT NULL,
          subject text NOT NULL,
          client_id text NOT NULL,
          operator_id text NOT NULL,
          purpose text NOT NULL,
          method text NOT NULL,
          providers text NOT NULL,
          consent_id text NOT NULL,
          result text NOT NULL,
          reason text NOT NULL,
          PRIMARY KEY (instance, seq));
        CREATE INDEX IF NOT EXISTS access_history_by_subject ON access_history (subject, at DESC, instance DESC, seq DESC);
        CREATE TABLE IF NOT EXISTS access_history_journals (
          instance text PRIMARY KEY,
          seq bigint NOT NULL,
          hash text NOT NULL,
          fed_at bigint NOT NULL);
        DROP TABLE IF EXISTS access_history_fed;
        """;

    /// <inheritdoc />
    protected override string TableExistsSql => "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = @table";

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
        return transaction;
    }

    /// <inheritdoc />
    protected override async Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IndexedAccess> rows, CancellationToken cancellationToken)
    {
        // One statement of arrays: the rows are gathered first (before it, so no lock is taken while they are read).
        IReadOnlyList<IndexedAccess> accesses = rows as IReadOnlyList<IndexedAccess> ?? [.. rows];
        var n = accesses.Count;
        if (n == 0)
        {
            return;
        }

        var instance = new string[n];
        var seq = new long[n];
        var at = new long[n];
        var subject = new string[n];
        var client = new string[n];
        var op = new string[n];
        var purpose = new string[n];
        var method = new string[n];
        var providers = new string[n];
        var consent = new string[n];
        var result = new string[n];
        var reason = new string[n];
        for (var i = 0; i < n; i++)
        {
            var a = accesses[i];
            (instance[i], seq[i], at[i], subject[i], client[i], op[i]) = (a.Instance, a.Seq, a.Time.ToUnixTimeMilliseconds(), a.Subject, a.ClientId, a.OperatorId);
            (purpose[i], method[i], providers[i], consent[i], result[i], reason[i]) = (a.Purpose, a.Method, a.ProviderList, a.ConsentId ?? "", a.Result, a.Reason ?? "");
        }

        await using var insert = new NpgsqlCommand(
            $"""
            INSERT INTO access_history ({Columns})
            SELECT * FROM unnest(@instance, @seq, @at, @subject, @client, @operator, @purpose, @method, @providers, @consent, @result, @reason)
            ON CONFLICT (instance, seq) DO NOTHING
            """,
            (NpgsqlConnection)connection,
            (NpgsqlTransaction)transaction);
        insert.Parameters.Add(new NpgsqlParameter<string[]>("instance", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = instance });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = seq });
        insert.Parameters.Add(new NpgsqlParameter<long[]>("at", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = at });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("subject", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = subject });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("client", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = client });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("operator", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = op });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("purpose", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = purpose });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("method", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = method });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("providers", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = providers });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("consent", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = consent });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("result", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = result });
        insert.Parameters.Add(new NpgsqlParameter<string[]>("reason", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = reason });
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override string NotAmong(DbCommand command, IReadOnlyCollection<string> clients)
    {
        command.Parameters.Add(new NpgsqlParameter<string[]>("withheld", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. clients] });
        return "client_id <> ALL (@withheld)";
    }
}
