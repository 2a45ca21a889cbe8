using System.Data.Common;
using Npgsql;

namespace ProviderGateway.AccessHistory;

/// <summary>
/// The access history's index in PostgreSQL, in the database of the durable submissions (<c>Gateway:Submissions:ConnectionString</c>),
/// shared by every instance: each feeds its own journal's lines, keyed by its instance id.
/// </summary>
public sealed class PostgresAccessHistoryIndex(string connectionString) : AccessHistoryIndex
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(Configure(connectionString));

    /// <inheritdoc />
    protected override string SchemaScript => """
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
          PRIMARY KEY (instance, seq)
        );
        CREATE INDEX IF NOT EXISTS access_history_by_subject ON access_history (subject, at DESC, instance DESC, seq DESC);
        CREATE TABLE IF NOT EXISTS access_history_fed (instance text PRIMARY KEY, seq bigint NOT NULL);
        """;

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // 5 s to connect and per command unless configured, as the submission store.
    private static string Configure(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured);
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("Timeout"))
        {
            builder.Timeout = 5;
        }

        if (!given.Contains("Command Timeout"))
        {
            builder.CommandTimeout = 5;
        }

        return builder.ConnectionString;
    }
}
