using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A demo provider running as its own process (ProviderGateway.DemoProviders.Standalone), on a free
/// loopback port: what a real provider looks like to the gateway.
/// </summary>
public sealed class StandaloneProvider : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string[] _extraArguments;

    private StandaloneProvider(ChildProcess process, string providerId, string[] extraArguments)
    {
        _process = process;
        Address = new Uri(process.ReadyMatch.Groups["address"].Value);
        ProviderId = providerId;
        _extraArguments = extraArguments;
    }

    /// <summary>The provider's id in the seed.</summary>
    public string ProviderId { get; }

    /// <summary>Where it serves gRPC.</summary>
    public Uri Address { get; }

    /// <summary>Starts the provider on a free port and waits until it reports its address.</summary>
    public static async Task<StandaloneProvider> StartAsync(string providerId, params string[] extraArguments)
    {
        var process = await ChildProcess.StartAsync(
            $"standalone provider {providerId}", Command(providerId, "http://127.0.0.1:0", extraArguments), ReadyLines.DemoProvider, TimeSpan.FromSeconds(30));
        return new StandaloneProvider(process, providerId, extraArguments);
    }

    /// <summary>Starts the provider again, on the same port, after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await _process.StartAgainAsync(Command(ProviderId, Address.ToString().TrimEnd('/'), _extraArguments));
    }

    /// <summary>The provider's call counts (its GET /demo/calls, over HTTP/2).</summary>
    public async Task<long> CallsAsync(string method)
    {
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var calls = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(Address, "/demo/calls")));
        return calls.RootElement.GetProperty("methods").TryGetProperty(method, out var count) ? count.GetInt64() : 0;
    }

    /// <summary>The W3C traceparent of the last contract call the provider received (its GET /demo/calls), or <c>null</c>.</summary>
    public async Task<string?> LastTraceParentAsync()
    {
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var calls = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(Address, "/demo/calls")));
        return calls.RootElement.TryGetProperty("lastTraceParent", out var value) ? value.GetString() : null;
    }

    private static ProcessCommand Command(string providerId, string url, string[] extraArguments) =>
        new("dotnet", [Repository.StandaloneDemoProvider, "--provider-id", providerId, "--url", url, .. extraArguments]);

    /// <summary>Kills the process (as a crash or a pulled cable would) and waits until it is gone.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
