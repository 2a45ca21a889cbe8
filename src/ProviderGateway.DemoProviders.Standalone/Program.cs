using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ProviderGateway.DemoProviders;
using ProviderGateway.DemoProviders.Standalone;

// Demo providers as processes of their own, as real providers run:
//   --provider-id alatau-power --url http://127.0.0.1:6001   one provider
//   --all --base-port 6001                                   every provider of the seed, consecutive ports
if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.WriteLine(StandaloneSettings.Usage);
    return 0;
}

if (args.Contains("--consent-authority"))
{
    // The demo consent authority alone: --consent-authority [--url http://127.0.0.1:6100].
    var url = args.SkipWhile(a => a != "--url").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:6100";
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
    try
    {
        await using var authority = await ProviderGateway.DemoProviders.Consent.DemoConsentAuthority.StartAsync(new() { Url = url, ConfigureLogging = ConfigureLogging }, stop.Token);
        Console.WriteLine($"Demo consent authority at {authority.Address} (consent.v1); codes at {new Uri(authority.Address, "/demo/consent/outbox?request_id=...")}. Press Ctrl+C to stop.");
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or IOException)
    {
        Console.Error.WriteLine($"The demo consent authority could not start: {e.Message}");
        return 1;
    }
}

if (!StandaloneSettings.TryRead(args, out var settings, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine();
    Console.Error.WriteLine(StandaloneSettings.Usage);
    return 2;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

try
{
    var (running, endpoints) = settings.All ? await StartAllAsync(settings, stopping.Token) : await StartOneAsync(settings, stopping.Token);
    await using (running)
    {
        Console.WriteLine("Gateway:Providers configuration of these demo providers (paste under \"Gateway\": { \"Providers\": ... }):");
        Console.WriteLine(JsonSerializer.Serialize(endpoints, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        Console.WriteLine("Press Ctrl+C to stop.");
        await Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    return 0;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException)
{
    Console.Error.WriteLine($"The demo providers could not start: {e.Message}");
    return 1;
}

static async Task<(IAsyncDisposable, IReadOnlyList<DemoProviderEndpoint>)> StartAllAsync(StandaloneSettings settings, CancellationToken ct)
{
    var set = await DemoProviderSet.StartAsync(
        new DemoProviderSetOptions
        {
            Seed = settings.Seed,
            Host = settings.Host,
            BasePort = settings.BasePort,
            Faults = settings.Faults,
            CertificateReadyAfter = settings.CertificateReadyAfter,
            ConfigureLogging = ConfigureLogging,
        },
        ct);
    return (set, set.DescribeEndpoints());
}

static async Task<(IAsyncDisposable, IReadOnlyList<DemoProviderEndpoint>)> StartOneAsync(StandaloneSettings settings, CancellationToken ct)
{
    var tokens = settings.OAuth2Client is { } client
        ? await DemoTokenServer.StartAsync(new DemoTokenServerOptions { Url = settings.TokenUrl!, Clients = [client], ConfigureLogging = ConfigureLogging }, ct)
        : null;
    if (tokens is not null)
    {
        Console.WriteLine($"Demo token endpoint for client '{settings.OAuth2Client!.ClientId}': {tokens.TokenEndpoint}");
    }

    var server = await DemoProviderServer.StartAsync(
        new DemoProviderServerOptions
        {
            ProviderId = settings.ProviderId!,
            Url = settings.Url,
            RequiredApiKey = settings.RequiredApiKey,
            ApiKeyHeader = settings.ApiKeyHeader,
            RequiredBearerTokens = tokens?.Tokens,
            Seed = settings.Seed,
            Faults = settings.Faults,
            CertificateReadyAfter = settings.CertificateReadyAfter,
            ConfigureLogging = ConfigureLogging,
        },
        ct);
    return (tokens is null ? server : new Both(server, tokens), [DemoProviderEndpoint.For(server)]);
}

static void ConfigureLogging(ILoggingBuilder logging) => logging
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss ";
    })
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft", LogLevel.Warning)
    .AddFilter("Grpc", LogLevel.Warning);

/// <summary>A demo provider and its token endpoint, stopped together.</summary>
internal sealed class Both(IAsyncDisposable provider, IAsyncDisposable tokens) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        await tokens.DisposeAsync();
    }
}
