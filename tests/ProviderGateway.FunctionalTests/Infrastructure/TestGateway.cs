using System.Globalization;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.Hosting;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>A provider to configure the gateway with.</summary>
public sealed record ConfiguredProvider(string Id, string Domain, Uri Endpoint, IReadOnlyList<string> KatoCodes, TimeSpan? Deadline = null);

/// <summary>
/// A real gateway (the same <see cref="GatewayApplication"/> as Program.cs) on free loopback ports,
/// with a gRPC client for its front desk.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(GatewayApplication application)
    {
        Application = application;
        Channel = GrpcChannel.ForAddress(application.Listeners.GrpcAddress);
        FrontDesk = new FrontDeskService.FrontDeskServiceClient(Channel);
    }

    /// <summary>The running gateway.</summary>
    public GatewayApplication Application { get; }

    /// <summary>A channel to the gateway's gRPC endpoint.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The front-desk client.</summary>
    public FrontDeskService.FrontDeskServiceClient FrontDesk { get; }

    /// <summary>The gateway's HTTP/1.1 endpoint.</summary>
    public Uri HttpAddress => Application.Listeners.HttpAddress;

    /// <summary>The embedded demo providers (when started without providers).</summary>
    public DemoProviderSet EmbeddedProviders => Application.EmbeddedProviders
        ?? throw new InvalidOperationException("This gateway was started with configured providers.");

    /// <summary>
    /// Starts a gateway on 127.0.0.1 port 0. Without <paramref name="providers"/> it runs the embedded default
    /// (the demo providers in-process, each on its own Kestrel listener).
    /// </summary>
    public static async Task<TestGateway> StartAsync(IReadOnlyList<ConfiguredProvider>? providers = null, IDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Gateway:Caching:KeySecret"] = TestSecrets.KeySecret,
        };
        for (var i = 0; i < (providers?.Count ?? 0); i++)
        {
            var p = providers![i];
            var key = $"Gateway:Providers:{i.ToString(CultureInfo.InvariantCulture)}";
            configuration[$"{key}:Id"] = p.Id;
            configuration[$"{key}:Domain"] = p.Domain;
            configuration[$"{key}:Endpoint"] = p.Endpoint.ToString();
            configuration[$"{key}:Deadline"] = p.Deadline?.ToString("c", CultureInfo.InvariantCulture);
            for (var k = 0; k < p.KatoCodes.Count; k++)
            {
                configuration[$"{key}:KatoCodes:{k.ToString(CultureInfo.InvariantCulture)}"] = p.KatoCodes[k];
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var application = await GatewayApplication.CreateAsync([], builder => builder.Configuration.AddInMemoryCollection(configuration));
        try
        {
            await application.StartAsync();
            return new TestGateway(application);
        }
        catch
        {
            await application.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a gateway configured with every provider of a running demo provider set.</summary>
    public static Task<TestGateway> StartAsync(DemoProviderSet providers, IDictionary<string, string?>? settings = null) =>
        StartAsync([.. providers.Servers.Select(s => new ConfiguredProvider(s.ProviderId, s.Provider.Domain, s.Address, s.Provider.KatoCodes))], settings);

    /// <summary>Settings of a gateway sharing <paramref name="redis"/>, values encrypted, plus <paramref name="more"/>.</summary>
    public static Dictionary<string, string?> WithRedis(RedisServer redis, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Caching:Redis"] = redis.Configuration,
            ["Gateway:Caching:EncryptionKey"] = TestSecrets.EncryptionKey,
            ["Gateway:Caching:RedisRetryAfter"] = "00:00:01",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Application.DisposeAsync();
    }
}
