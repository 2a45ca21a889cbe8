using System.Collections;
using System.Globalization;

namespace ProviderGateway.TestSupport.Settings;

/// <summary>
/// The gateway's configuration as a test writes it, section by section as README's tables list them, producing the
/// <c>Gateway:…</c> keys (for an in-memory configuration source, or as command-line arguments). Clients and providers
/// are numbered in the order they are added. A key no typed method covers is set with the indexer, and wins over
/// the typed sections:
/// <code>
/// var settings = new GatewaySettings()
///     .WithClient(c => c.Id("land-office").ApiKey(key).Permissions("land_registry").Districts("*"))
///     .WithCaching(c => c.Redis(redis.Configuration));
/// settings["Gateway:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317";
/// </code>
/// </summary>
public sealed class GatewaySettings : IEnumerable<KeyValuePair<string, string?>>
{
    private const string Gateway = "Gateway";
    private readonly List<ClientSettings> _clients = [];
    private readonly List<ProviderSettings> _providers = [];
    private readonly GatewayValues _gateway = new();
    private readonly CachingSettings _caching = new();
    private readonly JournalSettings _journal = new();
    private readonly ResilienceSettings _resilience = new();
    private readonly SubmissionSettings _submissions = new();
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A key no typed method covers, spelt in full (<c>Gateway:Telemetry:OtlpEndpoint</c>); wins over the typed sections.</summary>
    public string? this[string key]
    {
        get => ToDictionary().GetValueOrDefault(key);
        set => _values[key] = value;
    }

    /// <summary>
    /// What every test gateway holds: the cache's key secret, the tests' desk client (<see cref="ClientSettings.TestDesk"/>),
    /// the journal at <paramref name="journalPath"/> under the tests' keys, and the page token key.
    /// </summary>
    public static GatewaySettings ForTests(string journalPath) => new GatewaySettings()
        .WithCaching(c => c.KeySecret(TestSecrets.KeySecret))
        .WithClient(c => c.TestDesk())
        .WithJournal(j => j.Path(journalPath).TestKeys())
        .WithPageTokenKey(TestSecrets.PageTokenKey);

    /// <summary><c>Kestrel:Endpoints:{Grpc,Http,Management}:Url</c>.</summary>
    public GatewaySettings WithEndpoints(string grpcUrl, string httpUrl, string managementUrl)
    {
        _values["Kestrel:Endpoints:Grpc:Url"] = grpcUrl;
        _values["Kestrel:Endpoints:Http:Url"] = httpUrl;
        _values["Kestrel:Endpoints:Management:Url"] = managementUrl;
        return this;
    }

    /// <summary>The gRPC endpoint over TLS on 127.0.0.1 port 0: <c>Kestrel:Endpoints:Grpc:Url</c> and its <c>Certificate:Path</c>, <c>Certificate:KeyPath</c>.</summary>
    public GatewaySettings WithTlsGrpcEndpoint(string certificatePemFile, string keyPemFile)
    {
        _values["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0";
        _values["Kestrel:Endpoints:Grpc:Certificate:Path"] = certificatePemFile;
        _values["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = keyPemFile;
        return this;
    }

    /// <summary>Every endpoint on 127.0.0.1, port 0 (a free port each).</summary>
    public GatewaySettings WithLoopbackEndpoints() => WithEndpoints("http://127.0.0.1:0", "http://127.0.0.1:0", "http://127.0.0.1:0");

    /// <summary>One more desk client, <c>Gateway:Security:Clients:N</c> (N counts the clients added before it).</summary>
    public GatewaySettings WithClient(Action<ClientSettings> client)
    {
        var settings = new ClientSettings();
        client(settings);
        _clients.Add(settings);
        return this;
    }

    /// <summary>One more provider, <c>Gateway:Providers:N</c> (N counts the providers added before it).</summary>
    public GatewaySettings WithProvider(Action<ProviderSettings> provider)
    {
        var settings = new ProviderSettings();
        provider(settings);
        _providers.Add(settings);
        return this;
    }

    /// <summary><c>Gateway:Caching:…</c>.</summary>
    public GatewaySettings WithCaching(Action<CachingSettings> caching)
    {
        caching(_caching);
        return this;
    }

    /// <summary><c>Gateway:Security:Journal:…</c>.</summary>
    public GatewaySettings WithJournal(Action<JournalSettings> journal)
    {
        journal(_journal);
        return this;
    }

    /// <summary><c>Gateway:Submissions:…</c>.</summary>
    public GatewaySettings WithSubmissions(Action<SubmissionSettings> submissions)
    {
        submissions(_submissions);
        return this;
    }

    /// <summary><c>Gateway:Resilience:…</c>.</summary>
    public GatewaySettings WithResilience(Action<ResilienceSettings> resilience)
    {
        resilience(_resilience);
        return this;
    }

    /// <summary><c>Gateway:Security:PageTokens:Key</c> (and <c>PreviousKey</c>, while rotating).</summary>
    public GatewaySettings WithPageTokenKey(string key, string? previousKey = null)
    {
        _gateway.Set("Security:PageTokens:Key", key);
        if (previousKey is not null)
        {
            _gateway.Set("Security:PageTokens:PreviousKey", previousKey);
        }

        return this;
    }

    /// <summary><c>Gateway:Security:ClientCaCertificate</c>: the PEM file of the authority of desks' client certificates.</summary>
    public GatewaySettings WithClientCaCertificate(string pemFile)
    {
        _gateway.Set("Security:ClientCaCertificate", pemFile);
        return this;
    }

    /// <summary><c>Gateway:Security:ClientCertificateRevocation</c>: <c>Offline</c>, <c>Online</c> or <c>NoCheck</c>.</summary>
    public GatewaySettings WithClientCertificateRevocation(string mode)
    {
        _gateway.Set("Security:ClientCertificateRevocation", mode);
        return this;
    }

    /// <summary><c>Gateway:Security:ClientCertificateRevocationLists</c>: CRL files of the client authority.</summary>
    public GatewaySettings WithClientCertificateRevocationLists(params string[] crlFiles)
    {
        _gateway.SetList("Security:ClientCertificateRevocationLists", crlFiles);
        return this;
    }

    /// <summary><c>Gateway:Security:MaxRequestBytes</c>.</summary>
    public GatewaySettings WithMaxRequestBytes(int bytes)
    {
        _gateway.Set("Security:MaxRequestBytes", bytes);
        return this;
    }

    /// <summary><c>Gateway:DefaultProviderDeadline</c>.</summary>
    public GatewaySettings WithDefaultProviderDeadline(TimeSpan deadline)
    {
        _gateway.Set("DefaultProviderDeadline", deadline);
        return this;
    }

    /// <summary><c>Gateway:OverviewPageSize</c>.</summary>
    public GatewaySettings WithOverviewPageSize(int size)
    {
        _gateway.Set("OverviewPageSize", size);
        return this;
    }

    /// <summary><c>Gateway:BrowserDesks:AllowedOrigins</c>.</summary>
    public GatewaySettings WithBrowserOrigins(params string[] origins)
    {
        _gateway.SetList("BrowserDesks:AllowedOrigins", origins);
        return this;
    }

    /// <summary><c>Gateway:BrowserDesks:Console</c>: whether the gateway serves the front-desk console at /desk/.</summary>
    public GatewaySettings WithDeskConsole(bool served)
    {
        _gateway.Set("BrowserDesks:Console", served);
        return this;
    }

    /// <summary><c>Gateway:Shutdown:NotReadyDelay</c> and <c>DrainTimeout</c>: how the instance stops on SIGTERM.</summary>
    public GatewaySettings WithShutdown(TimeSpan notReadyDelay, TimeSpan drainTimeout)
    {
        _gateway.Set("Shutdown:NotReadyDelay", notReadyDelay);
        _gateway.Set("Shutdown:DrainTimeout", drainTimeout);
        return this;
    }

    /// <summary>
    /// Adds <paramref name="more"/> to these settings: its clients and providers after these ones (numbered on), its
    /// other values over these.
    /// </summary>
    public GatewaySettings With(GatewaySettings? more)
    {
        if (more is null)
        {
            return this;
        }

        _clients.AddRange(more._clients);
        _providers.AddRange(more._providers);
        _gateway.Overlay(more._gateway);
        _caching.Overlay(more._caching);
        _journal.Overlay(more._journal);
        _resilience.Overlay(more._resilience);
        _submissions.Overlay(more._submissions);
        foreach (var (key, value) in more._values)
        {
            _values[key] = value;
        }

        return this;
    }

    /// <summary>Every key and its value; keys set through the indexer win over the typed sections.</summary>
    public Dictionary<string, string?> ToDictionary()
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _gateway.WriteTo(keys, Gateway);
        _caching.WriteTo(keys, $"{Gateway}:Caching");
        _journal.WriteTo(keys, $"{Gateway}:Security:Journal");
        _resilience.WriteTo(keys, $"{Gateway}:Resilience");
        _submissions.WriteTo(keys, $"{Gateway}:Submissions");
        for (var i = 0; i < _clients.Count; i++)
        {
            _clients[i].WriteTo(keys, $"{Gateway}:Security:Clients:{i.ToString(CultureInfo.InvariantCulture)}");
        }

        for (var i = 0; i < _providers.Count; i++)
        {
            _providers[i].WriteTo(keys, $"{Gateway}:Providers:{i.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var (key, value) in _values)
        {
            keys[key] = value;
        }

        return keys;
    }

    /// <summary>The settings as command-line arguments (<c>--key=value</c>); keys set to <c>null</c> are left out.</summary>
    public string[] ToArguments() => [.. ToDictionary().Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}")];

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => ToDictionary().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Keys directly under Gateway: (and the few single keys of its sections) that the typed methods above set.
    private sealed class GatewayValues : SettingsSection;
}
