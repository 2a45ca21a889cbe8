using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A demo provider running as its own process (ProviderGateway.DemoProviders.Standalone), on a free
/// loopback port: what a real provider looks like to the gateway.
/// </summary>
public sealed partial class StandaloneProvider : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private Process _process;

    private StandaloneProvider(Process process, Uri address, string providerId, string[] extraArguments)
    {
        _process = process;
        Address = address;
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
        var (process, address) = await LaunchAsync(providerId, "http://127.0.0.1:0", extraArguments);
        return new StandaloneProvider(process, address, providerId, extraArguments);
    }

    /// <summary>Starts the provider again, on the same port, after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process.Dispose();
        (_process, _) = await LaunchAsync(ProviderId, Address.ToString().TrimEnd('/'), _extraArguments);
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

    private static async Task<(Process Process, Uri Address)> LaunchAsync(string providerId, string url, string[] extraArguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Repository.StandaloneDemoProvider, "--provider-id", providerId, "--url", url, .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    // Keep draining the pipes so the process never blocks on a full buffer.
                    _ = process.StandardOutput.ReadToEndAsync();
                    _ = process.StandardError.ReadToEndAsync();
                    return (process, new Uri(match.Groups["address"].Value));
                }
            }

            throw new InvalidOperationException($"Standalone provider {providerId} exited without listening:\n{output}\n{await process.StandardError.ReadToEndAsync()}");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Kills the process (as a crash or a pulled cable would) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (?<address>https?://[^\s/]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListeningLine();
}
