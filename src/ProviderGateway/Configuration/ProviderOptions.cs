using Microsoft.Extensions.Options;
using System.ComponentModel.DataAnnotations;

namespace ProviderGateway.Configuration;

/// <summary>One provider as configured in <c>Gateway:Providers</c>.</summary>
public sealed class ProviderOptions
{
    /// <summary>
    /// The provider's id in the gateway: 1 to 64 characters of a-z, 0-9 and '-', unique. It appears in
    /// every answer (<c>source.provider_id</c>) and the desk passes it back to address this provider.
    /// Required.
    /// </summary>
    [Required]
    public string Id { get; init; } = "";

    /// <summary>Name shown to desks, for example "Alatau Power". Defaults to <see cref="Id"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>
    /// The name shown to desks in each of their languages (<c>kk</c>, <c>ru</c>, <c>en</c>), chosen by the call's
    /// <c>accept-language</c>; a language not listed shows <see cref="DisplayName"/>. Optional.
    /// </summary>
    public IDictionary<string, string> DisplayNames { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The contract the provider implements: <c>utilities</c>, <c>land_registry</c> or
    /// <c>social_services</c>. Required.
    /// </summary>
    [Required]
    public string Domain { get; init; } = "";

    /// <summary>
    /// Where the provider serves gRPC: an absolute <c>http://</c> (h2c) or <c>https://</c> URI such as
    /// <c>https://utilities.example.kz:443</c>. Required.
    /// </summary>
    [Required]
    public string Endpoint { get; init; } = "";

    /// <summary>
    /// KATO codes (9 digits) of the districts or regions the provider serves; a region code such as
    /// 190000000 covers all its districts. Empty (the default) means the whole country.
    /// </summary>
    public IList<string> KatoCodes { get; init; } = [];

    /// <summary>
    /// How long the gateway waits for this provider on each call, for example <c>00:00:02</c>. Defaults
    /// to <see cref="GatewayOptions.DefaultProviderDeadline"/>; at most 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), OptionBounds.Zero, "00:05:00", MinimumIsExclusive = true)]
    public TimeSpan? Deadline { get; init; }

    /// <summary>
    /// Most calls the gateway has in flight to this provider at once; more fail fast with UNAVAILABLE.
    /// Defaults to <see cref="ResilienceOptions.MaxConcurrentCalls"/>.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int? MaxConcurrentCalls { get; init; }

    /// <summary>
    /// PEM file of the certificate authority that signed this provider's TLS certificate (https endpoints);
    /// when set, only it is trusted for this provider. Defaults to <see cref="GatewayOptions.ProviderCaCertificate"/>.
    /// </summary>
    public string? CaCertificate { get; init; }

    /// <summary>
    /// PEM file of the client certificate (with its private key, or see <see cref="ClientKey"/>) the gateway
    /// presents to this provider, for providers that require mutual TLS. Optional.
    /// </summary>
    public string? ClientCertificate { get; init; }

    /// <summary>PEM file of the private key of <see cref="ClientCertificate"/>, when it is not in the same file. Optional.</summary>
    public string? ClientKey { get; init; }

    /// <summary>
    /// An API key the gateway sends this provider on every call (health probes included), for providers that
    /// authenticate their callers by a static key rather than (or as well as) mutual TLS. Optional.
    /// </summary>
    public ProviderApiKeyOptions? ApiKey { get; init; }

    /// <summary>
    /// OAuth2 client credentials (RFC 6749 §4.4): the gateway obtains an access token from the provider's token endpoint and
    /// sends it as <c>authorization: Bearer …</c> on every call, refreshing it before it expires, and once more when the
    /// provider answers UNAUTHENTICATED. Optional; may be combined with mutual TLS and an <see cref="ApiKey"/> in another header.
    /// </summary>
    [ValidateObjectMembers]
    public ProviderOAuth2Options? OAuth2 { get; init; }

    /// <summary>
    /// Allows an <c>http://</c> (cleartext) <see cref="Endpoint"/> on a host that is not loopback. Without it such an
    /// endpoint is a start-up error: personal data would cross the network unencrypted. Each provider allowed this way is
    /// named in a warning at start-up. Defaults to <c>false</c>.
    /// </summary>
    public bool AllowInsecureTransport { get; init; }

    /// <summary>
    /// Whether this provider's cached answers are kept per client: <c>false</c> (the default) shares them between
    /// clients, for providers that answer every client alike; <c>true</c> puts the client in the cache key, for
    /// providers that authorise per client (one office may see what another may not). Writes still invalidate every
    /// client's answers about the citizen.
    /// </summary>
    public bool CachePerClient { get; init; }

    /// <summary>
    /// Cache policies of this provider's methods, overriding <c>Gateway:Caching:Methods</c>, keyed by
    /// method name (for example <c>GetAccountBalance</c>). Empty by default.
    /// </summary>
    public IDictionary<string, CachePolicyOptions> Caching { get; init; } = new Dictionary<string, CachePolicyOptions>(StringComparer.Ordinal);
}

/// <summary>
/// The API key of one provider (<c>Gateway:Providers:N:ApiKey</c>): sent as request metadata <see cref="Header"/> on every
/// call to it. The key itself comes from <see cref="Key"/> (configuration, typically an environment variable such as
/// <c>Gateway__Providers__0__ApiKey__Key</c>) or <see cref="KeyFile"/> (a mounted secret), exactly one of them; it is
/// never logged.
/// </summary>
public sealed class ProviderApiKeyOptions
{
    /// <summary>The metadata key (a lower-case HTTP header name) that carries the key. Defaults to <c>x-api-key</c>.</summary>
    public string Header { get; init; } = "x-api-key";

    /// <summary>The key: printable ASCII, no spaces at either end. Either this or <see cref="KeyFile"/>.</summary>
    public string? Key { get; init; }

    /// <summary>A file holding the key (read at start-up; surrounding whitespace ignored). Either this or <see cref="Key"/>.</summary>
    public string? KeyFile { get; init; }
}

/// <summary>
/// OAuth2 client credentials of one provider (<c>Gateway:Providers:N:OAuth2</c>). The gateway authenticates at
/// <see cref="TokenEndpoint"/> with a client secret (<see cref="ClientSecret"/> or <see cref="ClientSecretFile"/>) or a
/// private key (<see cref="PrivateKeyFile"/>, RFC 7523 <c>private_key_jwt</c>), exactly one of them; the secret, the key and
/// the tokens are never logged.
/// </summary>
public sealed class ProviderOAuth2Options
{
    /// <summary>The token endpoint: an absolute https:// URI (http:// only on loopback or with the provider's AllowInsecureTransport). Required.</summary>
    public string? TokenEndpoint { get; init; }

    /// <summary>The gateway's client id at the token endpoint. Required.</summary>
    public string? ClientId { get; init; }

    /// <summary>The client secret (typically from an environment variable such as <c>Gateway__Providers__0__OAuth2__ClientSecret</c>).</summary>
    public string? ClientSecret { get; init; }

    /// <summary>A file holding the client secret (a mounted secret; surrounding whitespace ignored).</summary>
    public string? ClientSecretFile { get; init; }

    /// <summary>A PEM file with the RSA or EC (P-256) private key that signs the client assertion (<c>private_key_jwt</c>).</summary>
    public string? PrivateKeyFile { get; init; }

    /// <summary>The <c>kid</c> of the client assertion's header, when the token endpoint knows several keys of the client. Optional.</summary>
    public string? KeyId { get; init; }

    /// <summary>The scope to ask for, space-separated (for example <c>utilities.read utilities.write</c>). Optional.</summary>
    public string? Scope { get; init; }

    /// <summary>
    /// How a client secret is presented (RFC 8414 names): <c>client_secret_basic</c> (HTTP Basic, the default) or
    /// <c>client_secret_post</c> (in the form). With <see cref="PrivateKeyFile"/> it is <c>private_key_jwt</c>, the only choice.
    /// </summary>
    public string? ClientAuthentication { get; init; }

    /// <summary>PEM file of the only certificate authority trusted for the token endpoint's TLS certificate. Defaults to the system's.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>
    /// How long before its expiry a token is replaced (in the background; calls keep the current token meanwhile): 10 seconds
    /// to an hour. Defaults to one minute; a token living less than twice this is replaced at half its life.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan RefreshBeforeExpiry { get; init; } = TimeSpan.FromMinutes(1);
}
