using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>
/// The consent authority the gateway verifies citizens' consent with (<c>providergateway.consent.v1.ConsentService</c>),
/// for the clients whose calls need it (<see cref="ClientOptions.RequireConsent"/>). Section <c>Gateway:Consent</c>.
/// </summary>
public sealed class ConsentOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Consent";

    /// <summary>
    /// The authority's gRPC address (<c>https://…</c>, or <c>http://…</c> for h2c on a trusted network). Required when
    /// any client needs consent; the embedded default starts a demo authority in-process.
    /// </summary>
    public Uri? Authority { get; init; }

    /// <summary>A PEM file of the CA that signed the authority's TLS certificate: then only it is trusted (as for providers). Optional.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>
    /// The longest a revocation made at the authority may go unnoticed: a verified consent is trusted until its expiry
    /// while the gateway follows the authority's revocations (WatchRevocations), and re-verified once older than this
    /// whenever it does not. 1 second to 5 minutes; default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RevocationBound { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a verification may take before the call is refused UNAVAILABLE. 100 ms to 30 s; default 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many verified consents (token, citizen, client, purpose, scope) are kept in memory. Default 100,000.</summary>
    [Range(100, 10_000_000)]
    public int MaxCachedGrants { get; init; } = 100_000;
}
