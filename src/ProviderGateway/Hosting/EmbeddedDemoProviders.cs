using System.Globalization;
using System.Security.Cryptography;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.DemoProviders;
using ProviderGateway.Security;

namespace ProviderGateway.Hosting;

/// <summary>
/// The embedded default: when <c>Gateway:Providers</c> is empty, the demo providers of the seed file
/// run in this process, each on its own loopback port, and are added to the configuration as if an
/// operator had listed them. The gateway then calls them exactly as it calls real providers.
/// </summary>
public static class EmbeddedDemoProviders
{
    /// <summary>
    /// The development API key of the embedded default, documented in the README and used by tools/grpcurl. A
    /// gateway started with it logs a warning; a configuration with providers never accepts it unless configured.
    /// </summary>
    public const string DevelopmentApiKey = "pg-development-key-NOT-FOR-PRODUCTION";

    /// <summary>
    /// The API key of the embedded default's office client <c>akimat-office</c>, which needs the citizen's consent for the
    /// overview and every personal-data read (README, "Consent and access history").
    /// </summary>
    public const string OfficeApiKey = "pg-office-key-NOT-FOR-PRODUCTION";

    /// <summary>The API key of the embedded default's data-protection officer client (<c>data-protection-officer</c>).</summary>
    public const string OfficerApiKey = "pg-officer-key-NOT-FOR-PRODUCTION";

    /// <summary>
    /// Starts the demo providers and configures the gateway to use them when no provider is configured;
    /// returns <c>null</c> (and starts nothing) otherwise.
    /// </summary>
    public static async Task<DemoProviderSet?> StartIfUnconfiguredAsync(WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        // Reads and adds raw configuration, not options: it runs before the services are registered, and what it adds is
        // bound and validated with the rest.
        if (builder.Configuration.GetSection($"{GatewayOptions.SectionName}:Providers").GetChildren().Any())
        {
            return null;
        }

        // A demo consent authority too, unless one is configured: the office client below needs it.
        var consentAuthority = string.IsNullOrWhiteSpace(builder.Configuration[$"{ConsentOptions.SectionName}:Authority"]);
        var set = await DemoProviderSet.StartAsync(new DemoProviderSetOptions { ConsentAuthority = consentAuthority }, cancellationToken).ConfigureAwait(false);
        var settings = new Dictionary<string, string?>();
        if (set.ConsentAuthority is { } authority)
        {
            settings[$"{ConsentOptions.SectionName}:Authority"] = authority.Address.ToString();
        }

        var index = 0;
        foreach (var server in set.Servers)
        {
            var key = $"{GatewayOptions.SectionName}:Providers:{index++.ToString(CultureInfo.InvariantCulture)}";
            settings[$"{key}:Id"] = server.Provider.Id;
            settings[$"{key}:DisplayName"] = server.Provider.DisplayName;
            foreach (var (language, name) in server.Provider.DisplayNames)
            {
                settings[$"{key}:DisplayNames:{language}"] = name;
            }
            settings[$"{key}:Domain"] = server.Provider.Domain;
            settings[$"{key}:Endpoint"] = server.Address.ToString();
            for (var k = 0; k < server.Provider.KatoCodes.Count; k++)
            {
                settings[$"{key}:KatoCodes:{k.ToString(CultureInfo.InvariantCulture)}"] = server.Provider.KatoCodes[k];
            }
        }

        // Memory-only cache of a single process: a throw-away key secret is as good as any.
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{CachingOptions.SectionName}:KeySecret"]))
        {
            settings[$"{CachingOptions.SectionName}:KeySecret"] = CacheSecrets.NewSecret();
        }

        AddDevelopmentSecurity(builder.Configuration, settings);
        builder.Configuration.AddInMemoryCollection(settings);
        return set;
    }

    /// <summary>
    /// Unless clients are configured, one development client holding <see cref="DevelopmentApiKey"/> with every
    /// permission; and, unless configured, a journal in the user's data folder with a throw-away subject key and
    /// chain and signing keys kept in files beside it, and a throw-away page token key.
    /// </summary>
    private static void AddDevelopmentSecurity(IConfiguration configuration, Dictionary<string, string?> settings)
    {
        const string section = SecurityOptions.SectionName;
        if (!configuration.GetSection($"{section}:Clients").GetChildren().Any())
        {
            settings[$"{section}:Clients:0:Id"] = "development-desk";
            settings[$"{section}:Clients:0:ApiKeySha256:0"] = GatewayClients.HashKey(DevelopmentApiKey);
            settings[$"{section}:Clients:0:Permissions:0"] = "*";
            settings[$"{section}:Clients:0:Districts:0"] = "*";
            settings[$"{section}:DevelopmentClient"] = "true";

            // A data-protection officer: any citizen's access history, hidden clients' accesses included, no consent.
            settings[$"{section}:Clients:1:Id"] = "data-protection-officer";
            settings[$"{section}:Clients:1:DisplayName"] = "Data protection officer";
            settings[$"{section}:Clients:1:ApiKeySha256:0"] = GatewayClients.HashKey(OfficerApiKey);
            settings[$"{section}:Clients:1:Permissions:0"] = "access_history";
            settings[$"{section}:Clients:1:Districts:0"] = "*";
            settings[$"{section}:Clients:1:DataProtectionOfficer"] = "true";

            // An office desk as the README shows it: the citizen's consent for the overview and every personal-data read.
            settings[$"{section}:Clients:2:Id"] = "akimat-office";
            settings[$"{section}:Clients:2:DisplayName"] = "Karasai district akimat, front desk";
            settings[$"{section}:Clients:2:ApiKeySha256:0"] = GatewayClients.HashKey(OfficeApiKey);
            string[] permissions = ["overview", "utilities", "land_registry", "social_services", "directory", "submissions", "consent", "access_history"];
            for (var i = 0; i < permissions.Length; i++)
            {
                settings[$"{section}:Clients:2:Permissions:{i.ToString(CultureInfo.InvariantCulture)}"] = permissions[i];
            }

            string[] consent = ["overview", "utilities", "land_registry", "social_services", "access_history"];
            for (var i = 0; i < consent.Length; i++)
            {
                settings[$"{section}:Clients:2:RequireConsent:{i.ToString(CultureInfo.InvariantCulture)}"] = consent[i];
            }

            settings[$"{section}:Clients:2:Districts:0"] = "*";
        }

        var journalPath = configuration[$"{section}:Journal:Path"];
        if (string.IsNullOrWhiteSpace(journalPath))
        {
            journalPath = Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "ProviderGateway",
                "access-journal.jsonl");
            settings[$"{section}:Journal:Path"] = journalPath;
        }

        if (string.IsNullOrWhiteSpace(configuration[$"{section}:Journal:SubjectKey"]))
        {
            settings[$"{section}:Journal:SubjectKey"] = CacheSecrets.NewSecret();
        }

        // One process: its page tokens need not outlive it.
        if (string.IsNullOrWhiteSpace(configuration[$"{section}:PageTokens:Key"]))
        {
            settings[$"{section}:PageTokens:Key"] = CacheSecrets.NewSecret();
        }

        // The chain continues across restarts, so its keys must too: made once, kept beside the journal (0600).
        var keys = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(journalPath))!, "journal-keys");
        if (string.IsNullOrWhiteSpace(configuration[$"{section}:Journal:ChainKey"]))
        {
            settings[$"{section}:Journal:ChainKey"] = File.ReadAllText(KeptKey(keys, "chain-key.base64", () => CacheSecrets.NewSecret() + "\n")).Trim();
        }

        // Durable submissions in a SQLite file beside the journal; its keys, like the chain's, outlive the process.
        const string submissions = SubmissionOptions.SectionName;
        if (string.IsNullOrWhiteSpace(configuration[$"{submissions}:Store"]))
        {
            settings[$"{submissions}:Store"] = nameof(SubmissionStoreKind.Sqlite);
            if (string.IsNullOrWhiteSpace(configuration[$"{submissions}:SealKey"]))
            {
                settings[$"{submissions}:SealKey"] = File.ReadAllText(KeptKey(keys, "submissions-seal-key.base64", () => CacheSecrets.NewSecret() + "\n")).Trim();
            }

            if (string.IsNullOrWhiteSpace(configuration[$"{submissions}:CitizenKey"]))
            {
                settings[$"{submissions}:CitizenKey"] = File.ReadAllText(KeptKey(keys, "submissions-citizen-key.base64", () => CacheSecrets.NewSecret() + "\n")).Trim();
            }
        }

        if (string.IsNullOrWhiteSpace(configuration[$"{section}:Journal:SigningKey"]))
        {
            settings[$"{section}:Journal:SigningKey"] = KeptKey(keys, "signing-key.pem", () =>
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return key.ExportPkcs8PrivateKeyPem() + "\n";
            });
        }
    }

    /// <summary>The path of key file <paramref name="name"/> in <paramref name="folder"/>, made by <paramref name="make"/> when missing.</summary>
    private static string KeptKey(string folder, string name, Func<string> make)
    {
        var path = Path.Combine(folder, name);
        if (File.Exists(path))
        {
            return path;
        }

        // Written aside, then moved in place: gateways starting together all end up with the same key.
        var draft = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(draft, make());
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var file = new FileStream(draft, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            file.Write(System.Text.Encoding.ASCII.GetBytes(make()));
        }

        try
        {
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
        }

        return path;
    }
}
