using System.Data.Common;
using Npgsql;

namespace ProviderGateway.Submissions;

/// <summary>
/// The submission store on PostgreSQL: the choice for several gateway instances sharing one queue. Commits are synchronous
/// (<c>synchronous_commit=on</c> on every connection: an OK receipt means the row is on disk); relays lease with
/// <c>FOR UPDATE SKIP LOCKED</c>, so each submission is attempted by one instance at a time; migrations take an advisory
/// lock, so instances starting together migrate one after the other.
/// </summary>
public sealed class PostgresSubmissionStore : SubmissionStore
{
    // pg_advisory_xact_lock key of the migrations ("PGSUBM" in spirit; any constant shared by all instances).
    private const long MigrationLock = 7_340_021;

    // Durability as configured, not as fast: whatever the server's, database's or role's default, these commits wait for the disk.
    private const string SynchronousCommit = "-c synchronous_commit=on";

    // Seconds to connect, and per command, unless the connection string says otherwise.
    private const int DefaultTimeoutSeconds = 5;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// A store on the database of <paramref name="connectionString"/>: the options configured there stay, with
    /// <c>-c synchronous_commit=on</c> appended; connecting and each command time out after 5 s unless it sets
    /// <c>Timeout</c> or <c>Command Timeout</c> (a store out of reach fails an acceptance fast, before the desk's deadline).
    /// </summary>
    public PostgresSubmissionStore(string connectionString, SubmissionSealer sealer, TimeProvider time, ILogger<SubmissionStore>? logger = null)
        : base(sealer, time, logger)
    {
        ConnectionString = Configure(connectionString);
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>The connection string the store connects with (the configured one, completed).</summary>
    internal string ConnectionString { get; }

    /// <inheritdoc />
    protected override IReadOnlyList<(int Version, string Description, string Script)> Migrations { get; } =
    [
        (1, "submissions and their sealed payloads", """
            CREATE TABLE submissions (
              seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              id text NOT NULL UNIQUE,
              client_id text NOT NULL,
              request_id text NOT NULL,
              provider_id text NOT NULL,
              method text NOT NULL,
              district text NOT NULL,
              citizen_hmac text NOT NULL,
              request_digest text NOT NULL,
              state smallint NOT NULL,
              accepted_at bigint NOT NULL,
              next_attempt_at bigint NOT NULL,
              attempts integer NOT NULL DEFAULT 0,
              last_status text NULL,
              finished_at bigint NULL,
              lease_owner text NULL,
              lease_token text NULL,
              lease_until bigint NULL,
              operator_id text NOT NULL DEFAULT '',
              purpose text NOT NULL DEFAULT '',
              UNIQUE (client_id, request_id));
            CREATE TABLE submission_payloads (
              id text PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
              key_id smallint NOT NULL,
              request bytea NOT NULL,
              response bytea NULL,
              purge_after bigint NULL);
            """ + IndexesV1),
    ];

    /// <inheritdoc />
    /// <remarks>
    /// In the order of the due index only, not also by <c>seq</c>: the index gives that order, so the claim stops at its
    /// limit; a tie-break PostgreSQL's index does not hold would sort every due head first. Each citizen's acceptance order
    /// is kept by the head test, not by this order.
    /// </remarks>
    protected override string ClaimStatement { get; } = $"""
        WITH due AS (
          SELECT s.seq FROM submissions s
          WHERE {ClaimableHeads}
          ORDER BY s.next_attempt_at
          LIMIT @limit
          FOR UPDATE OF s SKIP LOCKED)
        UPDATE submissions s SET state = 2, lease_owner = @owner, lease_token = @token, lease_until = @until
        FROM due WHERE s.seq = due.seq
        RETURNING {string.Join(", ", ReceiptColumns.Split(", ").Select(c => "s." + c))}
        """;

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
    /// <remarks>
    /// The identity is drawn before commit, so two acceptances for one citizen at one provider could commit out of their
    /// sequence order; a transaction-scoped advisory lock on the pair makes them one after the other.
    /// </remarks>
    protected override async Task BeforeAcceptAsync(DbConnection connection, DbTransaction transaction, string providerId, string citizenHash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@pair, 0))", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.AddWithValue("pair", providerId + ":" + citizenHash);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes a configured connection string: <c>synchronous_commit=on</c> after the configured options (later wins, so
    /// no option and no database or role default can turn it off), and the default timeouts where none is configured.
    /// </summary>
    private static string Configure(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured);

        // The keys given (canonical names, whichever synonym was written), as opposed to the builder's defaults.
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? SynchronousCommit : $"{builder.Options.Trim()} {SynchronousCommit}";
        if (!given.Contains("Timeout"))
        {
            builder.Timeout = DefaultTimeoutSeconds;
        }

        if (!given.Contains("Command Timeout"))
        {
            builder.CommandTimeout = DefaultTimeoutSeconds;
        }

        // The store runs a dozen statements again and again: prepared once per connection, each is neither parsed nor
        // planned again. And it changes no session state, so a pooled connection needs no DISCARD ALL when reused.
        if (!given.Contains("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 32;
        }

        if (!given.Contains("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <inheritdoc />
    protected override bool IsStoreFailure(Exception failure) => failure is NpgsqlException || base.IsStoreFailure(failure);
}
