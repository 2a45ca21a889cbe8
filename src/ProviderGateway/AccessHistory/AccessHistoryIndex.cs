using System.Data.Common;
using System.Globalization;
using System.Text;

namespace ProviderGateway.AccessHistory;

/// <summary>One journal line about a citizen, as the access history keeps it: no identifier in clear.</summary>
/// <param name="Instance">The gateway instance whose journal holds the line.</param>
/// <param name="Seq">The line's seq in that journal.</param>
/// <param name="Time">When the call was answered or refused.</param>
/// <param name="Subject">The journal's HMAC of the citizen's IIN.</param>
/// <param name="ClientId">The client that called.</param>
/// <param name="OperatorId">The operator (empty when refused for lacking one).</param>
/// <param name="Purpose">The purpose (empty when refused for lacking one).</param>
/// <param name="Method">The front-desk method.</param>
/// <param name="Providers">The providers touched, comma-separated.</param>
/// <param name="ConsentId">The consent the call went under; empty for none.</param>
/// <param name="Result">The gRPC code name the desk received.</param>
/// <param name="Reason">The journal's reason of a refusal; empty for none.</param>
public sealed record IndexedAccess(
    string Instance, long Seq, DateTimeOffset Time, string Subject, string ClientId, string OperatorId, string Purpose,
    string Method, string Providers, string ConsentId, string Result, string Reason);

/// <summary>Where a page of accesses ends: the last access's time, instance and seq (the listing's order).</summary>
/// <param name="Time">Unix milliseconds.</param>
/// <param name="Instance">The instance.</param>
/// <param name="Seq">The seq.</param>
public readonly record struct AccessCursor(long Time, string Instance, long Seq)
{
    /// <summary>The cursor as page tokens carry it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Time}:{Seq}:{Instance}");

    /// <summary>Reads <see cref="ToString"/>'s form; <c>null</c> for anything else.</summary>
    public static AccessCursor? Parse(string text)
    {
        var parts = text.Split(':', 3);
        return parts.Length == 3
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var time)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? new AccessCursor(time, parts[2], seq)
            : null;
    }
}

/// <summary>
/// The access history's index: one row per journal line about a citizen, keyed by (instance, seq) so that feeding the
/// same line twice (a rebuild, two passes) changes nothing, with an index on (subject, time) so that one citizen's
/// month is a range scan; and, per instance, the last journal seq fed. The journal stays the source of truth: the index
/// can be deleted at any time and is rebuilt from it (<see cref="JournalFeeder"/>). SQLite
/// (<see cref="SqliteAccessHistoryIndex"/>) or PostgreSQL (<see cref="PostgresAccessHistoryIndex"/>), the same SQL.
/// </summary>
public abstract class AccessHistoryIndex : IAsyncDisposable
{
    private const int RowsPerStatement = 200;
    private const string Columns = "instance, seq, at, subject, client_id, operator_id, purpose, method, providers, consent_id, result, reason";
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _ready;

    /// <summary>The statements creating the tables and index when missing.</summary>
    protected abstract string SchemaScript { get; }

    /// <summary>Opens a connection, ready for statements.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The last journal seq of <paramref name="instance"/> fed into the index; 0 when none.</summary>
    public async Task<long> FedUpToAsync(string instance, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM access_history_fed WHERE instance = @instance";
        Add(command, "@instance", instance);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } seq and not DBNull ? Convert.ToInt64(seq, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Adds <paramref name="accesses"/> and records <paramref name="fedUpTo"/> as <paramref name="instance"/>'s last seq fed, in one transaction.</summary>
    public async Task AddAsync(string instance, IReadOnlyList<IndexedAccess> accesses, long fedUpTo, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, accesses, cancellationToken).ConfigureAwait(false);
        await using (var fed = connection.CreateCommand())
        {
            fed.Transaction = transaction;
            fed.CommandText = """
                INSERT INTO access_history_fed (instance, seq) VALUES (@instance, @seq)
                ON CONFLICT (instance) DO UPDATE SET seq = CASE WHEN excluded.seq > access_history_fed.seq THEN excluded.seq ELSE access_history_fed.seq END
                """;
            Add(fed, "@instance", instance);
            Add(fed, "@seq", fedUpTo);
            await fed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts <paramref name="accesses"/> (those already there are left as they are): by default as statements of
    /// many rows each, one round trip per 200 rows.
    /// </summary>
    protected virtual async Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<IndexedAccess> accesses, CancellationToken cancellationToken)
    {
        for (var start = 0; start < accesses.Count; start += RowsPerStatement)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO access_history ({Columns}) VALUES ");
            var end = Math.Min(accesses.Count, start + RowsPerStatement);
            for (var i = start; i < end; i++)
            {
                var n = (i - start).ToString(CultureInfo.InvariantCulture);
                sql.Append(i > start ? ",(" : "(").Append(string.Join(',', Enumerable.Range(0, 12).Select(c => $"@p{n}_{c}"))).Append(')');
                var values = ValuesOf(accesses[i]);
                for (var c = 0; c < values.Length; c++)
                {
                    Add(insert, $"@p{n}_{c}", values[c]);
                }
            }

            insert.CommandText = sql.Append(" ON CONFLICT (instance, seq) DO NOTHING").ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One row's statement, its parameters <c>@p0</c> … <c>@p11</c> in column order (for an index that prepares it once).</summary>
    protected static string SingleRowInsert { get; } =
        $"INSERT INTO access_history ({Columns}) VALUES ({string.Join(',', Enumerable.Range(0, 12).Select(c => $"@p{c}"))}) ON CONFLICT (instance, seq) DO NOTHING";

    /// <summary>The column values of <paramref name="access"/>, in column order.</summary>
    protected static object[] ValuesOf(IndexedAccess access) =>
        [access.Instance, access.Seq, access.Time.ToUnixTimeMilliseconds(), access.Subject, access.ClientId, access.OperatorId, access.Purpose, access.Method, access.Providers, access.ConsentId, access.Result, access.Reason];

    /// <summary>
    /// The accesses about <paramref name="subject"/> from <paramref name="from"/> (inclusive) to <paramref name="to"/>
    /// (exclusive), newest first, after <paramref name="after"/> when given, at most <paramref name="limit"/>, leaving out
    /// the clients in <paramref name="withheldClients"/>.
    /// </summary>
    public async Task<IReadOnlyList<IndexedAccess>> ListAsync(
        string subject, DateTimeOffset from, DateTimeOffset to, AccessCursor? after, IReadOnlyCollection<string> withheldClients, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM access_history WHERE subject = @subject AND at >= @from AND at < @to");
        Add(command, "@subject", subject);
        Add(command, "@from", from.ToUnixTimeMilliseconds());
        Add(command, "@to", to.ToUnixTimeMilliseconds());
        if (after is { } cursor)
        {
            sql.Append(" AND (at < @at OR (at = @at AND (instance < @instance OR (instance = @instance AND seq < @seq))))");
            Add(command, "@at", cursor.Time);
            Add(command, "@instance", cursor.Instance);
            Add(command, "@seq", cursor.Seq);
        }

        var i = 0;
        foreach (var client in withheldClients)
        {
            var name = $"@w{(i++).ToString(CultureInfo.InvariantCulture)}";
            sql.Append(" AND client_id <> ").Append(name);
            Add(command, name, client);
        }

        sql.Append(" ORDER BY at DESC, instance DESC, seq DESC LIMIT @limit");
        Add(command, "@limit", limit);
        command.CommandText = sql.ToString();
        var found = new List<IndexedAccess>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(new IndexedAccess(
                reader.GetString(0), reader.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.GetString(11)));
        }

        return found;
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        _schema.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_ready)
        {
            return connection;
        }

        await _schema.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await using var create = connection.CreateCommand();
                create.CommandText = SchemaScript;
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _ready = true;
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _schema.Release();
        }

        return connection;
    }

    /// <summary>Adds a parameter.</summary>
    protected static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
