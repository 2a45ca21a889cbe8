using System.Globalization;
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
    /// Starts the demo providers and configures the gateway to use them when no provider is configured;
    /// returns <c>null</c> (and starts nothing) otherwise.
    /// </summary>
    public static async Task<DemoProviderSet?> StartIfUnconfiguredAsync(WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        if (builder.Configuration.GetSection($"{GatewayOptions.SectionName}:Providers").GetChildren().Any())
        {
            return null;
        }

        var set = await DemoProviderSet.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var server in set.Servers)
        {
            var key = $"{GatewayOptions.SectionName}:Providers:{index++.ToString(CultureInfo.InvariantCulture)}";
            settings[$"{key}:Id"] = server.Provider.Id;
            settings[$"{key}:DisplayName"] = server.Provider.DisplayName;
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
    /// permission; and, unless configured, a journal in the user's data folder with a throw-away subject key, and a
    /// throw-away page token key.
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
        }

        if (string.IsNullOrWhiteSpace(configuration[$"{section}:Journal:Path"]))
        {
            settings[$"{section}:Journal:Path"] = Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "ProviderGateway",
                "access-journal.jsonl");
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
    }
}
