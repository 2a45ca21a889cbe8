using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// The gateway as a user runs it: its own process from its build output (Program.cs), here on free
/// loopback ports instead of 5080/5081/5082. Its address is read from the start-up log line.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private GatewayProcess(Process process, StringBuilder log, string grpcAuthority)
    {
        _process = process;
        _log = log;
        GrpcAuthority = grpcAuthority;
    }

    /// <summary>host:port of the gRPC endpoint, as the grpcurl scripts take it in GATEWAY_ADDR.</summary>
    public string GrpcAuthority { get; }

    /// <summary>Everything the process has logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The log as JSON lines (the console's format): one element per line that is a JSON object.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> LogEntries =>
        [.. Log.Split('\n')
            .Where(line => line.StartsWith('{'))
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>The messages of <see cref="LogEntries"/>, one per line.</summary>
    public string LogMessages => string.Join('\n', LogEntries.Select(e => e.GetProperty("Message").GetString()));

    /// <summary>The process id (to read its threads, sockets and memory from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Command-line configuration of a gateway routing to <paramref name="providers"/>, plus <paramref name="settings"/>.</summary>
    public static string[] ArgumentsFor(IReadOnlyList<ConfiguredProvider> providers, params (string Key, string Value)[] settings)
    {
        var arguments = new List<string> { $"--Gateway:Caching:KeySecret={TestSecrets.KeySecret}" };
        arguments.AddRange(TestSecrets.Security(TestSecrets.NewJournalPath()).Select(s => $"--{s.Key}={s.Value}"));
        for (var i = 0; i < providers.Count; i++)
        {
            var p = providers[i];
            arguments.Add($"--Gateway:Providers:{i}:Id={p.Id}");
            arguments.Add($"--Gateway:Providers:{i}:Domain={p.Domain}");
            arguments.Add($"--Gateway:Providers:{i}:Endpoint={p.Endpoint}");
            if (p.Deadline is { } deadline)
            {
                arguments.Add($"--Gateway:Providers:{i}:Deadline={deadline:c}");
            }

            for (var k = 0; k < p.KatoCodes.Count; k++)
            {
                arguments.Add($"--Gateway:Providers:{i}:KatoCodes:{k}={p.KatoCodes[k]}");
            }
        }

        arguments.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        return [.. arguments];
    }

    /// <summary>Starts the gateway with extra command-line configuration and waits until it serves.</summary>
    public static Task<GatewayProcess> StartAsync(params string[] arguments) => StartAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the gateway with extra environment variables and command-line configuration.</summary>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var dll = Path.Combine(Repository.Root, "src", "ProviderGateway", "bin", Repository.Configuration, "net10.0", "ProviderGateway.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // The journal goes to a temporary file unless the arguments name one (later arguments win).
        string[] defaults = [dll, "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0", "--Kestrel:Endpoints:Management:Url=http://127.0.0.1:0", $"--Gateway:Security:Journal:Path={TestSecrets.NewJournalPath()}"];
        foreach (var argument in (string[])[.. defaults, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StringBuilder();
        var serving = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? authority = null;
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (ServingLine().Match(line) is { Success: true } match)
            {
                authority = match.Groups["authority"].Value;
            }
            else if (authority is not null && line.Contains("Try it: ", StringComparison.Ordinal))
            {
                // The last start-up line: the log holds everything start-up writes.
                serving.TrySetResult(authority);
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => serving.TrySetException(new InvalidOperationException($"The gateway exited with {process.ExitCode}:\n{log}")), TaskScheduler.Default);

        try
        {
            return new GatewayProcess(process, log, await serving.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        CapturedLogs.Append(Log);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"serving gRPC \(HTTP/2\) on https?://(?<authority>[^/\s]+)/")]
    private static partial Regex ServingLine();
}
