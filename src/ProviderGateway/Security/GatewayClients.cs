using System.Collections.Frozen;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Core;

namespace ProviderGateway.Security;

/// <summary>A configured client of the gateway and what it may do.</summary>
public sealed class GatewayClient
{
    private readonly FrozenSet<string> _permissions;
    private readonly string[] _districts;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ClaimsPrincipal> _principals = new(StringComparer.Ordinal);

    internal GatewayClient(ClientOptions options, RateLimitOptions defaultRateLimit)
    {
        Id = options.Id;
        _permissions = options.Permissions.ToFrozenSet(StringComparer.Ordinal);
        AllDistricts = options.Districts.Contains("*");
        // A district written as a whole KATO code (195200000) covers its area (1952), like a prefix written as such.
        _districts = [.. options.Districts.Where(d => d != "*").Select(Contracts.Identifiers.KatoCode.AreaOf)];
        RateLimit = options.RateLimit ?? defaultRateLimit;
        Scope = AllDistricts ? DistrictScope.Everywhere : DistrictScope.Of(_districts);
        DisplayName = string.IsNullOrWhiteSpace(options.DisplayName) ? options.Id : options.DisplayName;
        _consentRequired = options.RequireConsent.ToFrozenSet(StringComparer.Ordinal);
        HiddenFromSubjectUntil = options.HiddenFromSubject ? options.HiddenFromSubjectUntil ?? DateOnly.MaxValue : null;
        DataProtectionOfficer = options.DataProtectionOfficer;
    }

    private readonly FrozenSet<string> _consentRequired;

    /// <summary>The office or application as a citizen's access history names it.</summary>
    public string DisplayName { get; }

    /// <summary>
    /// For a client hidden from the citizen's access history, the day its accesses are first shown to the citizen;
    /// <c>null</c> for a client that is not hidden.
    /// </summary>
    public DateOnly? HiddenFromSubjectUntil { get; }

    /// <summary>True for a data-protection officer's client (see <see cref="ClientOptions.DataProtectionOfficer"/>).</summary>
    public bool DataProtectionOfficer { get; }

    /// <summary>Whether the client's calls of <paramref name="method"/> need the citizen's consent, as configured.</summary>
    public bool RequiresConsentFor(FrontDeskMethod method) =>
        _consentRequired.Count > 0 && (_consentRequired.Contains(method.Name) || _consentRequired.Contains(method.Group));

    /// <summary>The districts the client may see, as a scope the answers are filtered by.</summary>
    public DistrictScope Scope { get; }

    /// <summary>The client's id.</summary>
    public string Id { get; }

    /// <summary>True when the client may ask about any district.</summary>
    public bool AllDistricts { get; }

    /// <summary>The client's districts (KATO prefixes), unless <see cref="AllDistricts"/>.</summary>
    public IReadOnlyList<string> Districts => _districts;

    /// <summary>The client's rate limit.</summary>
    public RateLimitOptions RateLimit { get; }

    /// <summary>Whether the client may call <paramref name="method"/>; never a method the catalogue could not classify.</summary>
    /// <remarks><c>*</c> grants every group but <c>access_history</c>, which a client must be given by name.</remarks>
    public bool MayCall(FrontDeskMethod method) =>
        method.IsClassified
        && ((_permissions.Contains("*") && method.Group != "access_history") || _permissions.Contains(method.Name) || _permissions.Contains(method.Group));

    /// <summary>Whether the client may ask about district <paramref name="katoCode"/>.</summary>
    public bool MayAsk(string katoCode) =>
        AllDistricts || _districts.Any(area => Contracts.Identifiers.KatoCode.IsInArea(katoCode, area));

    internal ClaimsPrincipal PrincipalFor(string scheme) =>
        _principals.GetOrAdd(scheme, (s, id) => new ClaimsPrincipal(new ClaimsIdentity([new Claim(GatewayClients.ClientIdClaim, id)], s)), Id);

    /// <summary>Whether a provider serving <paramref name="katoCodes"/> (empty: the whole country) serves any of the client's districts.</summary>
    public bool Overlaps(IReadOnlyCollection<string> katoCodes) =>
        AllDistricts || katoCodes.Count == 0 || katoCodes.Any(code => _districts.Any(area =>
            Contracts.Identifiers.KatoCode.AreasOverlap(Contracts.Identifiers.KatoCode.AreaPrefix(code), area)));
}

/// <summary>The configured clients, found by API key, certificate or authenticated principal.</summary>
public sealed class GatewayClients
{
    /// <summary>The claim type carrying the client's id in an authenticated principal.</summary>
    public const string ClientIdClaim = "providergateway/client";

    // Keys seen before, to their client: a key is hashed once, not on every call. Only keys of configured clients
    // are kept, so the map holds at most one entry per configured key.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, GatewayClient> _knownKeys = new(StringComparer.Ordinal);
    private readonly FrozenDictionary<string, GatewayClient> _byId;
    private readonly FrozenDictionary<string, GatewayClient> _byKeyHash;
    private readonly FrozenDictionary<string, GatewayClient> _byCertificate;

    /// <summary>Builds the clients from <see cref="SecurityOptions"/>.</summary>
    public GatewayClients(IOptions<SecurityOptions> options)
    {
        var settings = options.Value;
        var clients = settings.Clients.Select(c => (Options: c, Client: new GatewayClient(c, settings.DefaultRateLimit))).ToList();
        _byId = clients.ToFrozenDictionary(c => c.Client.Id, c => c.Client, StringComparer.Ordinal);
        _byKeyHash = clients.SelectMany(c => c.Options.ApiKeySha256.Select(h => (Hash: h.ToLowerInvariant(), c.Client)))
            .ToFrozenDictionary(c => c.Hash, c => c.Client, StringComparer.Ordinal);
        _byCertificate = clients.SelectMany(c => c.Options.CertificateSha256.Select(h => (Hash: h.ToLowerInvariant(), c.Client)))
            .ToFrozenDictionary(c => c.Hash, c => c.Client, StringComparer.Ordinal);
    }

    /// <summary>Every configured client.</summary>
    public IEnumerable<GatewayClient> All => _byId.Values;

    /// <summary>The configured client of id <paramref name="id"/>, or <c>null</c> (removed since, say).</summary>
    public GatewayClient? FindById(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The client holding <paramref name="apiKey"/>, or <c>null</c>.</summary>
    public GatewayClient? FindByApiKey(string apiKey)
    {
        if (_knownKeys.TryGetValue(apiKey, out var known))
        {
            return known;
        }

        var client = _byKeyHash.GetValueOrDefault(HashKey(apiKey));
        if (client is not null && _knownKeys.Count < _byKeyHash.Count)
        {
            _knownKeys.TryAdd(apiKey, client);
        }

        return client;
    }

    /// <summary>The client owning <paramref name="certificate"/>, or <c>null</c>.</summary>
    public GatewayClient? FindByCertificate(X509Certificate2 certificate) =>
        _byCertificate.GetValueOrDefault(certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant());

    /// <summary>The client an authenticated principal stands for, or <c>null</c> when it is not authenticated.</summary>
    public GatewayClient? Of(ClaimsPrincipal user) =>
        user.FindFirst(ClientIdClaim)?.Value is { } id ? _byId.GetValueOrDefault(id) : null;

    /// <summary>The principal of an authenticated client (one per client and scheme, made once; never modified).</summary>
    public static ClaimsPrincipal PrincipalOf(GatewayClient client, string scheme) => client.PrincipalFor(scheme);

    /// <summary>The hash under which an API key is configured: SHA-256, lowercase hex.</summary>
    public static string HashKey(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
}
