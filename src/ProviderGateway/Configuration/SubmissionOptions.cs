using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>Where submissions are stored.</summary>
public enum SubmissionStoreKind
{
    /// <summary>No store: writes sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE to an unavailable provider are refused.</summary>
    None = 0,

    /// <summary>A SQLite file: one gateway instance (the embedded default's).</summary>
    Sqlite = 1,

    /// <summary>A PostgreSQL database: several gateway instances share it.</summary>
    Postgres = 2,
}

/// <summary>
/// Durable submissions (<c>Gateway:Submissions</c>): writes the desk sent with DELIVERY_MODE_ACCEPT_WHEN_UNAVAILABLE that
/// their provider could not take in time are stored, sealed, and delivered later by a relay on every instance.
/// </summary>
public sealed class SubmissionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Submissions";

    /// <summary>The store: <c>Sqlite</c>, <c>Postgres</c> or <c>None</c> (the default outside the embedded default).</summary>
    public SubmissionStoreKind Store { get; init; }

    /// <summary>The SQLite file (created with its folder when missing). Defaults to the access journal's path with <c>.submissions.db</c> for its extension.</summary>
    public string? SqlitePath { get; init; }

    /// <summary>The PostgreSQL connection string (Npgsql), for <see cref="SubmissionStoreKind.Postgres"/>; a password may come from <c>PGPASSWORD</c> or a passfile.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// Base64 AES-256 key (exactly 32 bytes) sealing stored requests and answers; the same on every instance. Required with a
    /// store. Generate one with <c>openssl rand -base64 32</c>.
    /// </summary>
    public string? SealKey { get; init; }

    /// <summary>The id stored with every value sealed under <see cref="SealKey"/> (1–32767): raise it with each new key. Defaults to 1.</summary>
    [Range(1, short.MaxValue)]
    public int SealKeyId { get; init; } = 1;

    /// <summary>
    /// Earlier seal keys by their id (<c>PreviousSealKeys:1</c> = base64 of 32 bytes), used only to open what was sealed
    /// under them; everything new is sealed under <see cref="SealKey"/>. Rotation: give the new key a higher
    /// <see cref="SealKeyId"/> and move the old one here, on every instance, and keep it until nothing sealed under it is
    /// left (pending submissions: <see cref="MaxAge"/>; answers: <see cref="Retention"/> after their delivery).
    /// </summary>
    public Dictionary<string, string> PreviousSealKeys { get; init; } = [];

    /// <summary>Base64 key (at least 32 bytes) of the HMAC that stands for the citizen's IIN in the store. Required with a store.</summary>
    public string? CitizenKey { get; init; }

    /// <summary>How long the sealed request and answer of a finished submission are kept; its receipt stays. Defaults to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>A submission still undelivered this long after it was accepted ends NOT_DELIVERED. Defaults to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long one relay holds a submission for one attempt before another may take it. Defaults to 2 minutes; longer than any provider's deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait before the second attempt; it doubles with each attempt (with jitter) up to <see cref="MaxRetryDelay"/>. Defaults to 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts. Defaults to 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the relay looks for due submissions when it was not woken by an acceptance. Defaults to 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Time kept from the desk's deadline to store the submission: the first attempt at the provider ends this much earlier.
    /// Defaults to 500 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    public TimeSpan AcceptReserve { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Deliveries in flight to one provider from this instance, at most; 0 (the default) means half the provider's
    /// <c>MaxConcurrentCalls</c> (at least 1), leaving the rest to the desks.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxConcurrentDeliveries { get; init; }

    /// <summary>Readiness reports Degraded when a provider's oldest undelivered submission is older than this. Defaults to 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DegradedAfter { get; init; } = TimeSpan.FromMinutes(15);
}
