using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>Where the access history's index is kept.</summary>
public enum AccessHistoryStoreKind
{
    /// <summary>A SQLite file of this instance (beside its journal by default): the accesses this instance journaled, plus <see cref="AccessHistoryOptions.JournalFiles"/>.</summary>
    Sqlite = 1,

    /// <summary>A PostgreSQL database shared by every instance, each feeding its own journal's lines.</summary>
    Postgres = 2,
}

/// <summary>
/// The citizen's access history (<c>Gateway:AccessHistory</c>): an index of the journal's lines about citizens (their IIN's
/// HMAC, never the IIN), fed by each instance as it journals and rebuilt from the journal files at start-up, which
/// <c>ListDataAccesses</c> answers from. The journal stays the source of truth: the index can be deleted at any time.
/// </summary>
public sealed class AccessHistoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:AccessHistory";

    /// <summary>
    /// The index's store. Defaults to the durable submissions' database: <c>Postgres</c> when
    /// <c>Gateway:Submissions:Store</c> is <c>Postgres</c> (its <c>ConnectionString</c>), otherwise <c>Sqlite</c>.
    /// </summary>
    public AccessHistoryStoreKind? Store { get; init; }

    /// <summary>
    /// The SQLite file (created 0600 with its folder when missing). Defaults to the access journal's path with
    /// <c>.access-history.db</c> for its extension, beside it (a file of its own: rebuilding it never touches the submissions').
    /// </summary>
    public string? SqlitePath { get; init; }

    /// <summary>The PostgreSQL connection string (Npgsql). Defaults to <c>Gateway:Submissions:ConnectionString</c>.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// Journal files of other instances (each the path of its current file; its rotated siblings beside it are read too),
    /// indexed at start-up up to their last signed checkpoint, under the instance their checkpoints name. For an index in
    /// PostgreSQL that must hold the lines of an instance no longer running (each running instance feeds its own); for a
    /// SQLite index, to answer for other instances too. Empty by default.
    /// </summary>
    public IList<string> JournalFiles { get; init; } = [];

    /// <summary>
    /// Journal lines held in memory for the index while its database is slow or down, or while it falls behind a load
    /// heavier than its share of the CPU lets it follow. Beyond them lines are not held (each held line keeps its access
    /// record alive): the index reads them back from the journal files later. Defaults to 1,000 (10 s of an office's
    /// traffic at 100 calls a second; at the benchmark's saturation, 10,000 held lines cost 50 MB of peak RSS).
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int QueueCapacity { get; init; } = 1_000;
}
