using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ProviderGateway.DemoProviders.Consent;

/// <summary>How to start a <see cref="DemoConsentAuthority"/>.</summary>
public sealed class DemoConsentAuthorityOptions
{
    /// <summary>Where to listen (HTTP/2 over cleartext, h2c): <c>http://127.0.0.1:0</c> by default, a free loopback port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>The seed whose citizens get invented phone numbers; by default the embedded seed.</summary>
    public DemoSeed? Seed { get; set; }

    /// <summary>The clock of codes and consents. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Adds logging providers and filters; without it the authority logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}

/// <summary>
/// A demo consent authority (<c>providergateway.consent.v1.ConsentService</c>) as a real gRPC server on its own Kestrel
/// (h2c), with gRPC reflection. Every citizen of the seed has an invented phone number (<c>+7 700 …</c>, never a real
/// one); codes are "sent" to an outbox a test or a demo reads at <c>GET /demo/consent/outbox?request_id=…</c>
/// (<c>{"request_id": "…", "code": "123456"}</c>, 404 when none) or through <see cref="Ledger"/>.
/// <code>
/// await using var authority = await DemoConsentAuthority.StartAsync(new());
/// var consent = new ConsentService.ConsentServiceClient(GrpcChannel.ForAddress(authority.Address));
/// </code>
/// </summary>
public sealed class DemoConsentAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoConsentAuthority(WebApplication app, DemoConsentLedger ledger, Uri address)
    {
        _app = app;
        Ledger = ledger;
        Address = address;
    }

    /// <summary>The address the server is bound to, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Its state: pending requests and their codes, consents, revocations.</summary>
    public DemoConsentLedger Ledger { get; }

    /// <summary>The invented phone number of each of the seed's citizens, by IIN: "+7700" and 7 digits from the IIN's serial.</summary>
    public static IReadOnlyDictionary<string, string> PhonesOf(DemoSeed seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return seed.Citizens.ToDictionary(c => c.Iin, c => "+7700" + c.Iin[5..], StringComparer.Ordinal);
    }

    /// <summary>Starts the authority and returns once it listens.</summary>
    /// <exception cref="IOException">When the address cannot be bound.</exception>
    public static async Task<DemoConsentAuthority> StartAsync(DemoConsentAuthorityOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listenOn = DemoProviderServer.ParseListenUrl(options.Url);
        var ledger = new DemoConsentLedger(PhonesOf(options.Seed ?? DemoSeed.Load()), options.TimeProvider);
        var builder = DemoProviderServer.CreateEmptyBuilder();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listenOn, listen => listen.Protocols = HttpProtocols.Http2);
        });
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(ledger);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<ConsentAuthorityDemoService>();
        app.MapGrpcReflectionService();
        app.MapGet("/demo/consent/outbox", (HttpContext http) =>
            http.Request.Query["request_id"].ToString() is { Length: > 0 } requestId && ledger.CodeFor(requestId) is { } code
                ? Results.Json(new { request_id = requestId, code })
                : Results.NotFound());
        try
        {
            await app.StartAsync(ct);
            var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new DemoConsentAuthority(app, ledger, new Uri(bound));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
