using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// The gateway as a user runs it: its own process from its build output (Program.cs), here on free
/// loopback ports instead of 5080/5081/5082. Its address is read from the start-up log line.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process)
    {
        _process = process;
        GrpcAuthority = ReadyLines.GatewayGrpcEndpoint.Match(process.Output) is { Success: true } serving
            ? serving.Groups["authority"].Value
            : throw new InvalidOperationException($"The gateway named no gRPC endpoint:\n{process.Output}");
        var endpoints = ServingLine().Match(process.Output);
        HttpAddress = new Uri(endpoints.Groups["http"].Value);
        ManagementAddress = new Uri(endpoints.Groups["management"].Value);
    }

    /// <summary>The HTTP/1.1 endpoint (JSON, gRPC-Web, the console).</summary>
    public Uri HttpAddress { get; }

    /// <summary>The management endpoint (<c>/readyz</c>, <c>/healthz</c>, <c>/metrics</c>).</summary>
    public Uri ManagementAddress { get; }

    /// <summary>host:port of the gRPC endpoint, as the grpcurl scripts take it in GATEWAY_ADDR.</summary>
    public string GrpcAuthority { get; }

    /// <summary>Everything the process has logged so far.</summary>
    public string Log => _process.Output;

    /// <summary>The log as JSON lines (the console's format): one element per line that is a JSON object.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> LogEntries =>
        [.. Log.Split('\n')
            .Where(line => line.StartsWith('{'))
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>The messages of <see cref="LogEntries"/>, one per line.</summary>
    public string LogMessages => string.Join('\n', LogEntries.Select(e => e.GetProperty("Message").GetString()));

    /// <summary>The process id (to read its threads, sockets and memory from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The configuration of a gateway routing to <paramref name="providers"/>, with the tests' desk, secrets and a new journal.</summary>
    public static GatewaySettings SettingsFor(IReadOnlyList<ConfiguredProvider> providers)
    {
        var settings = GatewaySettings.ForTests(TestSecrets.NewJournalPath());
        foreach (var provider in providers)
        {
            settings.WithProvider(provider.WriteTo);
        }

        return settings;
    }

    /// <summary>Starts the gateway configured with <paramref name="settings"/> (as command-line arguments) and waits until it serves.</summary>
    public static Task<GatewayProcess> StartAsync(GatewaySettings settings) => StartAsync(settings.ToArguments());

    /// <summary>Starts the gateway with extra command-line configuration and waits until it serves.</summary>
    public static Task<GatewayProcess> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the gateway with extra environment variables and command-line configuration.</summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var dll = Path.Combine(Repository.Root, "src", "ProviderGateway", "bin", Repository.Configuration, "net10.0", "ProviderGateway.dll");
        // The journal goes to a temporary file unless the arguments name one (later arguments win).
        var defaults = new GatewaySettings()
            .WithLoopbackEndpoints()
            .WithJournal(j => j.Path(TestSecrets.NewJournalPath()))
            .ToArguments();
        var command = new ProcessCommand("dotnet", [dll, .. defaults, .. arguments])
        {
            WorkingDirectory = Path.GetTempPath(),
            Environment = environment,
        };
        return new GatewayProcess(await ChildProcess.StartAsync("gateway", command, ReadyLines.Gateway));
    }

    /// <summary>SIGTERM (or another <paramref name="signal"/>), as an orchestrator stops an instance; returns at once.</summary>
    public void Signal(int signal = 15) => _process.Signal(signal);

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan within) => _process.WaitForExitAsync(within);

    /// <summary>SIGKILL: the process ends at once, nothing flushed or drained.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _process.KillAsync();
        CapturedLogs.Append(Log);
        await _process.DisposeAsync();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"HTTP/1\.1 on (?<http>http://[^\s]+/) and management \(health, metrics\) on (?<management>http://[^\s]+/)")]
    private static partial System.Text.RegularExpressions.Regex ServingLine();
}
