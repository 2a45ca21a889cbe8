using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ProviderGateway.Configuration;

/// <summary>
/// Who may call the gateway, what each client may do, and the access journal: section
/// <c>Gateway:Security</c>. Validated at start-up: a configuration with providers but no clients, no journal
/// or no journal key does not start. The embedded default adds a documented development client.
/// </summary>
public sealed class SecurityOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway:Security";

    /// <summary>The desks' client applications (one per office, typically) and their permissions.</summary>
    [MinLength(1, ErrorMessage = "{0} is empty: the gateway hands out personal data and does not start without client credentials. " +
        "Add a client with an API key hash (tools/security/new-api-key.sh) or a certificate thumbprint, its Permissions and Districts.")]
    [ValidateEnumeratedItems]
    public IList<ClientOptions> Clients { get; init; } = [];

    /// <summary>
    /// PEM file of the certificate authority whose client certificates are accepted (mutual TLS on a TLS gRPC
    /// endpoint). Optional: without it, clients authenticate with API keys only.
    /// </summary>
    public string? ClientCaCertificate { get; init; }

    /// <summary>
    /// How client certificates are checked for revocation. Defaults to <see cref="ClientCertificateRevocationMode.Offline"/>,
    /// which needs <see cref="ClientCertificateRevocationLists"/> when <see cref="ClientCaCertificate"/> is set.
    /// </summary>
    public ClientCertificateRevocationMode ClientCertificateRevocation { get; init; } = ClientCertificateRevocationMode.Offline;

    /// <summary>
    /// CRL files (PEM or DER), each signed by <see cref="ClientCaCertificate"/>, for
    /// <see cref="ClientCertificateRevocationMode.Offline"/>. Re-read when they change (checked at most every 30 s).
    /// </summary>
    public IList<string> ClientCertificateRevocationLists { get; init; } = [];

    /// <summary>The rate limit of clients that set none.</summary>
    [ValidateObjectMembers]
    public RateLimitOptions DefaultRateLimit { get; init; } = new();

    /// <summary>How the instances behind one load balancer share each client's rate limit (through Redis).</summary>
    [ValidateObjectMembers]
    public SharedRateLimitOptions SharedRateLimits { get; init; } = new();

    /// <summary>Largest request message accepted, in bytes (larger ones fail RESOURCE_EXHAUSTED unread). Defaults to 64 KiB.</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MaxRequestBytes { get; init; } = 64 * 1024;

    /// <summary>The personal-data access journal.</summary>
    [ValidateObjectMembers]
    public JournalOptions Journal { get; init; } = new();

    /// <summary>The keys and lifetime of page tokens.</summary>
    [ValidateObjectMembers]
    public PageTokenOptions PageTokens { get; init; } = new();

    /// <summary>Set by the embedded default when it added the development client; never set it by hand.</summary>
    public bool DevelopmentClient { get; init; }
}

/// <summary>One client application of the gateway.</summary>
public sealed class ClientOptions
{
    /// <summary>The client's id, as written in the journal: 1–64 of a-z, 0-9, '-', '.'.</summary>
    [Required]
    public string Id { get; init; } = "";

    /// <summary>
    /// SHA-256 hashes (64 hex digits) of the client's API keys, sent as metadata <c>x-api-key</c>; several
    /// allow rotation. <c>tools/security/new-api-key.sh</c> makes a key and its hash. The keys themselves are
    /// never configured.
    /// </summary>
    public IList<string> ApiKeySha256 { get; init; } = [];

    /// <summary>SHA-256 thumbprints (64 hex digits) of the client's certificates, for mutual TLS.</summary>
    public IList<string> CertificateSha256 { get; init; } = [];

    /// <summary>
    /// What the client may call: method names (<c>GetCitizenOverview</c>), domains (<c>utilities</c>,
    /// <c>land_registry</c>, <c>social_services</c>, <c>overview</c>, <c>directory</c>) or <c>*</c>. Required.
    /// </summary>
    [MinLength(1, ErrorMessage = "{0} is empty: list front-desk methods (GetCitizenOverview), domains (utilities, overview …) or '*'.")]
    public IList<string> Permissions { get; init; } = [];

    /// <summary>
    /// Districts the client may ask about: KATO code prefixes (<c>1952</c> is the Karasai district,
    /// <c>19</c> the Almaty region) or <c>*</c> for the whole country. Required.
    /// </summary>
    [MinLength(1, ErrorMessage = "{0} is empty: list KATO code prefixes (for example 1952) or '*' for the whole country.")]
    public IList<string> Districts { get; init; } = [];

    /// <summary>The client's rate limit. Defaults to <see cref="SecurityOptions.DefaultRateLimit"/>.</summary>
    [ValidateObjectMembers]
    public RateLimitOptions? RateLimit { get; init; }

    /// <summary>
    /// The office or application as a citizen's access history names it (for example "Karasai district akimat, front
    /// desk"): 1–120 characters. Defaults to <see cref="Id"/>.
    /// </summary>
    public string? DisplayName { get; init; }

    /// <summary>
    /// The calls that need the citizen's consent (metadata <c>x-consent-token</c>, verified with the consent authority
    /// before any cache or provider is asked): method names or groups (<c>overview</c>, <c>utilities</c>,
    /// <c>land_registry</c>, <c>social_services</c>, <c>access_history</c>), each naming a citizen. Empty (the default):
    /// none. Needs <c>Gateway:Consent:Authority</c>.
    /// </summary>
    public IList<string> RequireConsent { get; init; } = [];

    /// <summary>
    /// True for a client whose accesses are withheld from the citizen's own access history (law enforcement, for
    /// example) until <see cref="HiddenFromSubjectUntil"/>; a data-protection officer still sees them.
    /// </summary>
    public bool HiddenFromSubject { get; init; }

    /// <summary>The day from which the accesses of a <see cref="HiddenFromSubject"/> client are shown to the citizen. Required with it.</summary>
    public DateOnly? HiddenFromSubjectUntil { get; init; }

    /// <summary>
    /// True for a data-protection officer's client: with the <c>access_history</c> permission it reads any citizen's
    /// access history without the citizen's consent, hidden clients' accesses included. Other clients with that
    /// permission need the citizen's consent for <c>CONSENT_SCOPE_ACCESS_HISTORY</c> and never see hidden accesses.
    /// </summary>
    public bool DataProtectionOfficer { get; init; }
}

/// <summary>A token bucket: a steady rate of calls and a burst above it.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Calls per second on average. Defaults to 50.</summary>
    [Range(1, 1_000_000)]
    public int CallsPerSecond { get; init; } = 50;

    /// <summary>Calls that may come at once after a quiet spell (the bucket's size). Defaults to 100.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; init; } = 100;
}

/// <summary>
/// Rate limits shared by every instance (<c>Gateway:Security:SharedRateLimits</c>): with <c>Gateway:Caching:Redis</c>
/// set, each client's bucket is kept in Redis and each instance borrows calls from it in batches, so a client's limit
/// holds across all instances rather than growing with each one added.
/// </summary>
public sealed class SharedRateLimitOptions
{
    /// <summary>Whether limits are shared through Redis when <c>Gateway:Caching:Redis</c> is set. Defaults to true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// How many instances serve the clients: while Redis cannot be reached, each instance limits a client to its
    /// bucket divided by this (at least one call a second and a burst of one), so the limit still holds roughly across
    /// all of them. Defaults to 1 (each instance then allows a client the whole limit while Redis is down).
    /// </summary>
    [Range(1, 1_000)]
    public int Instances { get; init; } = 1;

    /// <summary>
    /// The calls an instance borrows from Redis at a time, as time at the client's rate: 100 ms borrows 5 calls of a
    /// 50-a-second limit. Longer means fewer Redis round trips and a coarser limit across instances. Defaults to 100 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan BorrowWindow { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>How client certificates (mutual TLS) are checked for revocation. Every mode but NoCheck fails closed.</summary>
public enum ClientCertificateRevocationMode
{
    /// <summary>
    /// Only the CRL files of <see cref="SecurityOptions.ClientCertificateRevocationLists"/>: a certificate is refused when
    /// listed, when no CRL of its issuer is configured, or when that CRL is past its nextUpdate.
    /// </summary>
    Offline,

    /// <summary>
    /// The CRL distribution points (or OCSP) named in the certificates are fetched; a certificate whose status cannot
    /// be fetched is refused.
    /// </summary>
    Online,

    /// <summary>No revocation check: a revoked certificate is accepted until removed from the configuration.</summary>
    NoCheck,
}

/// <summary>What happens to a personal-data call when the journal's queue is full.</summary>
public enum JournalFullPolicy
{
    /// <summary>The call is refused (UNAVAILABLE, ACCESS_JOURNAL_FULL) before any lookup: no access goes unrecorded.</summary>
    Refuse,

    /// <summary>The call proceeds and its record is dropped (counted and logged): availability before accountability.</summary>
    Drop,
}

/// <summary>
/// The personal-data access journal: one JSON line per access, chained by HMAC-SHA256 under
/// <see cref="ChainKey"/>, with checkpoints signed by <see cref="SigningKey"/> and anchored outside the file.
/// </summary>
public sealed class JournalOptions
{
    /// <summary>
    /// The journal file, appended to (created 0600 with its folder when missing); <c>{instance}</c> in it is
    /// replaced by <see cref="InstanceId"/>. Required outside the embedded default.
    /// </summary>
    [Required(ErrorMessage = "{0} is required: every personal-data access is appended to this file.")]
    public string? Path { get; init; }

    /// <summary>
    /// Base64 key (at least 32 bytes) of the HMAC-SHA256 that links each line to the one before: a line written or
    /// changed without it fails verification. Required outside the embedded default (which keeps one in a file).
    /// </summary>
    [Required(ErrorMessage = "{0} is required (base64, at least 32 bytes; tools/journal/new-journal-keys.sh makes one): it links the journal's lines.")]
    public string? ChainKey { get; init; }

    /// <summary>
    /// PEM file of the ECDSA P-256 private key that signs checkpoints (tools/journal/new-journal-keys.sh makes
    /// one). Required outside the embedded default (which keeps one in a file).
    /// </summary>
    [Required(ErrorMessage = "{0} is required: the path of a PEM file holding an ECDSA P-256 private key (tools/journal/new-journal-keys.sh makes one); it signs the journal's checkpoints.")]
    public string? SigningKey { get; init; }

    /// <summary>
    /// The file each checkpoint is also appended to. Defaults to the journal's path + <c>.anchor</c>, beside the
    /// journal: weaker than a path the gateway's host cannot rewrite (an append-only or remote share).
    /// </summary>
    public string? AnchorPath { get; init; }

    /// <summary>
    /// This gateway instance's id, in every checkpoint and in the Redis anchor's key: 1–64 of a-z, 0-9, '.', '-'.
    /// Defaults to the machine name, lower-cased, other characters replaced by '-'.
    /// </summary>
    public string? InstanceId { get; init; }

    /// <summary>A checkpoint is signed after this many lines. Defaults to 1,000.</summary>
    [Range(1, 1_000_000)]
    public int CheckpointEveryLines { get; init; } = 1000;

    /// <summary>A checkpoint is signed this long after the last one when lines were added since. Defaults to 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The file is rotated when it reaches this size, in bytes; 0 turns size rotation off. Defaults to 256 MiB.</summary>
    public long RotateBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Whether the file is rotated at UTC midnight (when lines were added that day). Defaults to true.</summary>
    public bool RotateDaily { get; init; } = true;

    /// <summary>
    /// Base64 key (at least 32 bytes) of the HMAC-SHA256 that replaces each IIN in the journal; keep it to find
    /// a citizen's accesses. Required outside the embedded default (which uses a throw-away key).
    /// </summary>
    [Required(ErrorMessage = "{0} is required (base64, at least 32 bytes; generate one with: openssl rand -base64 32).")]
    public string? SubjectKey { get; init; }

    /// <summary>Records waiting to be written, at most. Defaults to 10,000.</summary>
    [Range(16, 1_000_000)]
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>What happens when the queue is full. Defaults to <see cref="JournalFullPolicy.Refuse"/>.</summary>
    public JournalFullPolicy WhenFull { get; init; } = JournalFullPolicy.Refuse;
}
