using Microsoft.Extensions.Options;
using ProviderGateway.Caching;
using ProviderGateway.Configuration;
using ProviderGateway.DemoProviders;
using ProviderGateway.Providers;

namespace ProviderGateway.Hosting;

/// <summary>
/// The gateway process: configuration, the embedded demo providers when nothing is configured, the
/// services and the endpoints. <c>Program.cs</c> runs it; end-to-end tests start it on free ports.
/// </summary>
public sealed class GatewayApplication : IAsyncDisposable
{
    private bool _started;

    private GatewayApplication(WebApplication app, GatewayListeners listeners, DemoProviderSet? embeddedProviders)
    {
        App = app;
        Listeners = listeners;
        EmbeddedProviders = embeddedProviders;
    }

    /// <summary>The ASP.NET Core application.</summary>
    public WebApplication App { get; }

    /// <summary>The bound endpoints (addresses known once started).</summary>
    public GatewayListeners Listeners { get; }

    /// <summary>The in-process demo providers of the embedded default; <c>null</c> when providers are configured.</summary>
    public DemoProviderSet? EmbeddedProviders { get; }

    /// <summary>Builds the gateway.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Gateway:OverviewPageSize=10</c>).</param>
    /// <param name="configure">Extra configuration applied before anything reads it (tests use it).</param>
    public static async Task<GatewayApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json is read from the build output, wherever the process was started from.
            ContentRootPath = AppContext.BaseDirectory,
        });
        configure?.Invoke(builder);

        var embedded = await EmbeddedDemoProviders.StartIfUnconfiguredAsync(builder).ConfigureAwait(false);
        try
        {
            var listeners = builder.AddGatewayListeners();
            builder.AddGatewayConfiguration()
                .AddGatewayCaching()
                .AddGatewayResilience()
                .AddGatewayPipeline()
                .AddGatewaySecurity()
                .AddGatewaySubmissions()
                .AddGatewayConsent()
                .AddGatewayAccessHistory()
                .AddGatewayGrpc()
                .AddGatewayHealth()
                .AddGatewayShutdown()
                .AddGatewayTelemetry();

            var app = builder.Build();
            ValidateEverySection(app.Services);
            app.MapProviderGateway();
            app.Lifetime.ApplicationStarted.Register(() => LogStarted(app, listeners, embedded));
            app.Lifetime.ApplicationStopped.Register(() => HostingLog.Stopped(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProviderGateway")));
            return new GatewayApplication(app, listeners, embedded);
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Runs the validation of every options section at once, before anything (a hosted service, say) resolves options one
    /// at a time and fails on the first: an operator sees every problem of every section in one start-up, as one
    /// <see cref="OptionsValidationException"/> whose failures each name their key.
    /// </summary>
    private static void ValidateEverySection(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (AggregateException all) when (all.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new OptionsValidationException(
                "Gateway",
                typeof(GatewayOptions),
                [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct(StringComparer.Ordinal)]);
        }
    }

    /// <summary>Starts serving; returns once the endpoints are bound.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await App.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    /// <summary>Serves until the process is asked to stop.</summary>
    public Task RunAsync() => App.RunAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Stop first, so that background services see their stopping token rather than a disposed host.
        // A host whose start failed (or never began) has nothing to stop, and StopAsync throws on it.
        if (_started)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await App.StopAsync(stopping.Token).ConfigureAwait(false);
        }

        await App.DisposeAsync().ConfigureAwait(false);
        if (EmbeddedProviders is not null)
        {
            await EmbeddedProviders.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void LogStarted(WebApplication app, GatewayListeners listeners, DemoProviderSet? embedded)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProviderGateway");
        var registry = app.Services.GetRequiredService<ProviderRegistry>();
        if (embedded is not null)
        {
            HostingLog.EmbeddedDemo(logger, registry.All.Length);
            if (embedded.ConsentAuthority is { } consentAuthority)
            {
                HostingLog.DemoConsentAuthority(logger, consentAuthority.Address, EmbeddedDemoProviders.OfficeApiKey);
            }
        }
        else
        {
            HostingLog.ConfiguredProviders(logger, registry.All.Length);
        }

        // Validation let such an endpoint through only with the provider's AllowInsecureTransport.
        foreach (var provider in registry.All.Where(p => p.Endpoint.Scheme == Uri.UriSchemeHttp && !p.Endpoint.IsLoopback))
        {
            HostingLog.InsecureProvider(logger, provider.Id);
        }

        foreach (var provider in registry.All.Where(p => p.OAuth2?.Settings.TokenEndpoint is { Scheme: "http", IsLoopback: false }))
        {
            HostingLog.InsecureTokenEndpoint(logger, provider.Id, provider.OAuth2!.Settings.TokenEndpoint);
        }

        // Whether answers are shared through Redis, and how they are protected there.
        if (app.Services.GetService<RedisConnection>() is { } redis)
        {
            var caching = app.Services.GetRequiredService<IOptions<CachingOptions>>().Value;
            CachingLog.WithRedis(logger, redis.Endpoints, CachingOptionsValidator.EncryptsValues(caching)
                ? "sealed with AES-256-GCM, bound to their key"
                : "in clear, bound to their key by HMAC-SHA256");
        }
        else
        {
            CachingLog.MemoryOnly(logger);
        }

        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (security.DevelopmentClient)
        {
            HostingLog.DevelopmentKey(logger, EmbeddedDemoProviders.DevelopmentApiKey);
        }

        app.Services.GetRequiredService<Security.ClientCertificateRevocation>().ReportAtStart();
        HostingLog.Journal(logger, Path.GetFullPath(security.Journal.Path!));
        HostingLog.Serving(logger, listeners.GrpcAddress, listeners.HttpAddress, listeners.ManagementAddress);
        if (BrowserDesks.DeskConsole.IsServed(app))
        {
            HostingLog.DeskConsole(logger, new Uri(listeners.HttpAddress, BrowserDesks.DeskConsole.Path));
        }

        var authority = listeners.GrpcAddress.Authority;
        // No IIN in the log, not even a demo one: the script picks the first demo citizen itself.
        var key = security.DevelopmentClient ? EmbeddedDemoProviders.DevelopmentApiKey : "<API key>";
        HostingLog.Example(
            logger,
            $"GATEWAY_ADDR={authority} tools/grpcurl/overview.sh   (a demo citizen's overview; the README lists the demo IINs) " +
            $"or: grpcurl -plaintext -H 'x-api-key: {key}' -H 'x-operator-id: demo-operator' -H 'x-access-purpose: citizen-enquiry' " +
            $"-d '{{\"iin\":\"<IIN>\"}}' {authority} providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview");
    }
}
