using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.DemoProviders;
using ProviderGateway.Hosting;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>A provider to configure the gateway with.</summary>
public sealed record ConfiguredProvider(string Id, string Domain, Uri Endpoint, IReadOnlyList<string> KatoCodes, TimeSpan? Deadline = null)
{
    /// <summary>Writes the provider into its <c>Gateway:Providers:N</c> section.</summary>
    public void WriteTo(ProviderSettings settings)
    {
        settings.Id(Id).Domain(Domain).Endpoint(Endpoint).KatoCodes(KatoCodes);
        if (Deadline is { } deadline)
        {
            settings.Deadline(deadline);
        }
    }
}

/// <summary>
/// A real gateway (the same <see cref="GatewayApplication"/> as Program.cs) on free loopback ports,
/// with a gRPC client for its front desk.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(GatewayApplication application, string journalPath)
    {
        Application = application;
        JournalPath = journalPath;
        Channel = GrpcChannel.ForAddress(application.Listeners.GrpcAddress);
        FrontDesk = ClientWith(TestSecrets.ApiKey, TestSecrets.OperatorId, TestSecrets.Purpose);
    }

    /// <summary>The running gateway.</summary>
    public GatewayApplication Application { get; }

    /// <summary>A channel to the gateway's gRPC endpoint.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The front-desk client of the tests' desk: its API key, an operator and a purpose on every call.</summary>
    public FrontDeskService.FrontDeskServiceClient FrontDesk { get; }

    /// <summary>The access journal file.</summary>
    public string JournalPath { get; }

    /// <summary>A front-desk client sending the given metadata (each only when not <c>null</c>).</summary>
    public FrontDeskService.FrontDeskServiceClient ClientWith(string? apiKey, string? operatorId = null, string? purpose = null) =>
        ClientWith(Channel, apiKey, operatorId, purpose);

    /// <summary>A front-desk client over <paramref name="channel"/> (a gRPC-Web one, say) sending the given metadata.</summary>
    public static FrontDeskService.FrontDeskServiceClient ClientWith(ChannelBase channel, string? apiKey, string? operatorId = null, string? purpose = null) =>
        new(channel.Intercept(callMetadata =>
        {
            // A copy: the call's own metadata may be shared between calls (a static NoCache, say).
            var metadata = new Metadata();
            foreach (var entry in callMetadata)
            {
                metadata.Add(entry);
            }

            if (apiKey is not null)
            {
                metadata.Add("x-api-key", apiKey);
            }

            if (operatorId is not null)
            {
                metadata.Add("x-operator-id", operatorId);
            }

            if (purpose is not null)
            {
                metadata.Add("x-access-purpose", purpose);
            }

            return metadata;
        }));

    /// <summary>The gateway's HTTP/1.1 endpoint.</summary>
    public Uri HttpAddress => Application.Listeners.HttpAddress;

    /// <summary>The gateway's management endpoint (health, readiness, metrics).</summary>
    public Uri ManagementAddress => Application.Listeners.ManagementAddress;

    /// <summary>The embedded demo providers (when started without providers).</summary>
    public DemoProviderSet EmbeddedProviders => Application.EmbeddedProviders
        ?? throw new InvalidOperationException("This gateway was started with configured providers.");

    /// <summary>
    /// Starts a gateway on 127.0.0.1 port 0. Without <paramref name="providers"/> it runs the embedded default
    /// (the demo providers in-process, each on its own Kestrel listener).
    /// </summary>
    /// <param name="providers">The providers; <c>null</c> for the embedded default.</param>
    /// <param name="settings">More configuration (wins over the defaults).</param>
    /// <param name="withTestClient">False to configure no client (and so no security settings at all).</param>
    /// <param name="configure">Adds configuration sources after the settings (a JSON file that a test edits, for example).</param>
    /// <param name="logs">One more logger provider, seeing what the gateway's configured levels let through.</param>
    /// <param name="services">Registers services before the gateway's own (which add theirs only when absent).</param>
    public static async Task<TestGateway> StartAsync(
        IReadOnlyList<ConfiguredProvider>? providers = null,
        GatewaySettings? settings = null,
        bool withTestClient = true,
        Action<IConfigurationBuilder>? configure = null,
        ILoggerProvider? logs = null,
        Action<IServiceCollection>? services = null)
    {
        var gateway = withTestClient
            ? GatewaySettings.ForTests(TestSecrets.NewJournalPath())
            : new GatewaySettings().WithCaching(c => c.KeySecret(TestSecrets.KeySecret));
        gateway.WithLoopbackEndpoints();
        foreach (var provider in providers ?? [])
        {
            gateway.WithProvider(provider.WriteTo);
        }

        var configuration = gateway.With(settings).ToDictionary();
        var application = await GatewayApplication.CreateAsync([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            configure?.Invoke(builder.Configuration);
            services?.Invoke(builder.Services);
            // Everything the gateway logs, its own Debug lines included, goes to the file the suite's IIN scan reads.
            builder.Logging.AddProvider(CapturedLogs.Provider);
            builder.Logging.AddFilter<CapturedLogs>(null, LogLevel.Information);
            builder.Logging.AddFilter<CapturedLogs>("ProviderGateway", LogLevel.Debug);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        });
        try
        {
            await application.StartAsync();
            return new TestGateway(application, configuration.GetValueOrDefault("Gateway:Security:Journal:Path") ?? "");
        }
        catch
        {
            await application.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a gateway configured with every provider of a running demo provider set.</summary>
    public static Task<TestGateway> StartAsync(DemoProviderSet providers, GatewaySettings? settings = null) =>
        StartAsync([.. providers.Servers.Select(s => new ConfiguredProvider(s.ProviderId, s.Provider.Domain, s.Address, s.Provider.KatoCodes))], settings);

    /// <summary>Settings of a gateway sharing <paramref name="redis"/>, values encrypted, Redis tried again a second after it failed.</summary>
    public static GatewaySettings WithRedis(RedisServer redis) =>
        new GatewaySettings().WithCaching(c => c.Redis(redis.Configuration).EncryptionKey(TestSecrets.EncryptionKey).RedisRetryAfter(TimeSpan.FromSeconds(1)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Application.DisposeAsync();
    }
}
