using System.Net;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProviderGateway.DemoProviders.Data;
using ProviderGateway.DemoProviders.Logging;
using ProviderGateway.DemoProviders.Services;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// One demo provider as a real gRPC server: its own Kestrel (HTTP/2 over cleartext, h2c) serving the
/// contract of the provider's domain, <c>grpc.health.v1</c> and gRPC reflection, plus plain HTTP
/// endpoints for test control (<c>GET /demo/calls</c>, <c>GET /demo/writes</c>, <c>GET|PUT /demo/faults</c>). Faults
/// can be injected at run time through <see cref="Faults"/>, <see cref="Calls"/> counts what it received and
/// <see cref="Writes"/> how often each write was received and applied.
/// <code>
/// await using var server = await DemoProviderServer.StartAsync(new() { ProviderId = "alatau-power" });
/// using var channel = GrpcChannel.ForAddress(server.Address);
/// </code>
/// </summary>
public sealed class DemoProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILogger _logger;
    private int _stopped;

    private DemoProviderServer(WebApplication app, DemoDataStore data, DemoCallCounter calls, DemoFaults faults, Uri address)
    {
        _app = app;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<DemoProviderServer>();
        Data = data;
        Calls = calls;
        Faults = faults;
        Address = address;
    }

    /// <summary>The provider's seed id, for example "alatau-power".</summary>
    public string ProviderId => Provider.Id;

    /// <summary>The provider's seed entry: display name, domain, districts served.</summary>
    public DemoSeedProvider Provider => Data.Provider;

    /// <summary>The address the server is bound to, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The provider's data, including the writes it accepted.</summary>
    public DemoDataStore Data { get; }

    /// <summary>The calls received, per contract method, counted on arrival (before faults).</summary>
    public DemoCallCounter Calls { get; }

    /// <summary>The faults injected, changeable at any time.</summary>
    public DemoFaults Faults { get; }

    /// <summary>
    /// The writes received and applied, per request_id (<see cref="DemoWriteLedger"/>): a retry replayed by
    /// the provider's idempotency is received twice and applied once. The same ledger as <c>Data.Writes</c>.
    /// </summary>
    public DemoWriteLedger Writes => Data.Writes;

    /// <summary>gRPC calls refused for a missing or wrong API key (<see cref="DemoProviderServerOptions.RequiredApiKey"/>).</summary>
    public long CallsRefusedForApiKey => _app.Services.GetService<DemoApiKeyRequirement>()?.Refused ?? 0;

    /// <summary>Contract calls (not health probes) refused for a missing or unaccepted bearer token (<see cref="DemoProviderServerOptions.RequiredBearerTokens"/>).</summary>
    public long CallsRefusedForToken => _app.Services.GetService<DemoBearerTokenRequirement>()?.Refused ?? 0;

    /// <summary>The W3C <c>traceparent</c> header of the last contract call received, or <c>null</c>.</summary>
    public string? LastTraceParent => Calls.LastTraceParent;

    /// <summary>Builds the server for <see cref="DemoProviderServerOptions.ProviderId"/>, starts it and returns once it listens.</summary>
    /// <exception cref="ArgumentException">When the provider id or the URL is not valid.</exception>
    /// <exception cref="DemoSeedException">When the seed cannot be loaded.</exception>
    /// <exception cref="IOException">When the address cannot be bound (for example, the port is in use).</exception>
    public static async Task<DemoProviderServer> StartAsync(DemoProviderServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listenOn = ParseListenUrl(options.Url, options.ServerCertificate is not null);
        var seed = options.Seed ?? DemoSeed.Load(options.SeedPath);
        var provider = seed.FindProvider(options.ProviderId) ?? throw new ArgumentException(
            $"Unknown demo provider id '{options.ProviderId}'. Valid ids: {string.Join(", ", seed.Providers.Select(p => p.Id))}.",
            nameof(options));
        var data = new DemoDataStore(seed, provider.Id, new DemoDataStoreOptions
        {
            TimeProvider = options.TimeProvider,
            CertificateReadyAfter = options.CertificateReadyAfter,
            CadastralNumberPattern = options.CadastralNumberPattern,
        });
        var calls = new DemoCallCounter();
        var faults = new DemoFaults(options.Faults);

        var app = Build(options, listenOn, data, calls, faults);
        try
        {
            await app.StartAsync(ct);
            var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            var server = new DemoProviderServer(app, data, calls, faults, new Uri(bound));
            DemoProviderLog.ServerStarted(server._logger, provider.Id, provider.Domain.Name, server.Address.GetLeftPart(UriPartial.Authority));
            return server;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops listening; calls in flight are given a few seconds, hanging ones are answered UNAVAILABLE.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync(cancellationToken);
            DemoProviderLog.ServerStopped(_logger, ProviderId);
        }
    }

    /// <summary>Stops the server and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    private static bool IssuedBy(System.Security.Cryptography.X509Certificates.X509Certificate2 presented, System.Security.Cryptography.X509Certificates.X509Certificate2 authority)
    {
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        return chain.Build(presented);
    }

    /// <summary>Parses <c>http(s)://HOST:PORT</c> into the endpoint Kestrel listens on.</summary>
    /// <exception cref="ArgumentException">When the URL is not an http(s) URL with an IP address or "localhost", or https without a certificate.</exception>
    internal static IPEndPoint ParseListenUrl(string url, bool hasCertificate = false)
    {
        const string Expected = "Expected http://HOST:PORT (or https://HOST:PORT with a server certificate) with an IP address or localhost as HOST, for example http://127.0.0.1:6001 (port 0 picks a free port).";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttp || (uri.Scheme == Uri.UriSchemeHttps && hasCertificate))
            || uri.PathAndQuery != "/"
            || uri.Fragment.Length > 0)
        {
            throw new ArgumentException($"The demo provider URL '{url}' is not valid. {Expected}", nameof(url));
        }

        var address = uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns
            ? IPAddress.Loopback
            : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed)
                ? parsed
                : throw new ArgumentException($"The demo provider URL '{url}' does not name an IP address. {Expected}", nameof(url));
        return new IPEndPoint(address, uri.Port);
    }

    /// <summary>
    /// An empty builder: no appsettings.json, environment variables or file watchers. A demo server embedded in the gateway
    /// must not pick up the gateway's configuration, and the content root is the assembly's folder so that nothing watches
    /// the current directory.
    /// </summary>
    internal static WebApplicationBuilder CreateEmptyBuilder() => WebApplication.CreateEmptyBuilder(new WebApplicationOptions
    {
        ApplicationName = typeof(DemoProviderServer).Assembly.GetName().Name,
        ContentRootPath = AppContext.BaseDirectory,
        EnvironmentName = Environments.Production,
    });

    private static WebApplication Build(DemoProviderServerOptions options, IPEndPoint listenOn, DemoDataStore data, DemoCallCounter calls, DemoFaults faults)
    {
        var builder = CreateEmptyBuilder();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listenOn, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.ServerCertificate is { } certificate && options.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        if (options.ClientCertificateAuthority is { } authority)
                        {
                            // Mutual TLS: a client certificate chained to this authority alone, or no connection.
                            https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                            https.ClientCertificateValidation = (presented, _, _) => IssuedBy(presented, authority);
                        }
                    });
                }
            });
        });
        // The health check fails on purpose while the Down fault is on; its error log every second would
        // drown everything else. Added first, so that ConfigureLogging can still turn it back on.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        options.ConfigureLogging?.Invoke(builder.Logging);

        var provider = data.Provider;
        var services = builder.Services;
        services.AddSingleton(data);
        services.AddSingleton(provider);
        services.AddSingleton(calls);
        services.AddSingleton(data.Writes);
        services.AddSingleton(faults);
        services.AddSingleton<DemoCallInterceptor>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        services.AddGrpc(grpc => grpc.Interceptors.Add<DemoCallInterceptor>());
        services.AddGrpcReflection();

        // Health follows the Down fault. Check recomputes on every call; Watch streams what the
        // publisher computes, so the publisher runs every second rather than every 30.
        var serviceName = DemoContracts.ServiceNameOf(provider.Domain);
        services.AddGrpcHealthChecks(health =>
            {
                health.Services.Map("", _ => true);
                health.Services.Map(serviceName, _ => true);
            })
            .AddCheck("demo-provider", () => faults.Down
                ? HealthCheckResult.Unhealthy("The demo provider is down (fault injection).")
                : HealthCheckResult.Healthy());
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = TimeSpan.FromSeconds(1);
        });

        var keyRequirement = options.RequiredApiKey is { } requiredKey ? new DemoApiKeyRequirement(options.ApiKeyHeader, requiredKey) : null;
        if (keyRequirement is not null)
        {
            services.AddSingleton(keyRequirement);
        }

        var tokenRequirement = options.RequiredBearerTokens is { } tokens ? new DemoBearerTokenRequirement(tokens, options.RequiredScope) : null;
        if (tokenRequirement is not null)
        {
            services.AddSingleton(tokenRequirement);
        }

        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        keyRequirement?.Apply(app);
        tokenRequirement?.Apply(app);
        options.ConfigurePipeline?.Invoke(app);
        _ = provider.Domain switch
        {
            var d when d == DemoDomain.Utilities => app.MapGrpcService<UtilitiesDemoService>(),
            var d when d == DemoDomain.LandRegistry => app.MapGrpcService<LandRegistryDemoService>(),
            var d when d == DemoDomain.SocialServices => app.MapGrpcService<SocialServicesDemoService>(),
            _ => throw new ArgumentException($"The provider's domain {provider.Domain} has no demo service."),
        };
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapDemoControlEndpoints(provider, calls, data.Writes, faults);
        return app;
    }
}
