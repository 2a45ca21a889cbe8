using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using ProviderGateway.Contracts.FrontDesk.V1;
using ProviderGateway.FunctionalTests.Infrastructure;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Cluster;

/// <summary>
/// Gateway instances behind nginx, started by <c>tools/cluster/cluster.py</c> as a person would start them (shared
/// redis-server and PostgreSQL, the demo providers in a process of their own), in a temporary folder.
/// </summary>
public sealed class GatewayCluster : IAsyncDisposable
{
    private readonly string _folder;
    private JsonElement _state;

    private GatewayCluster(string folder)
    {
        _folder = folder;
        _state = ReadState();
    }

    /// <summary>host:port of nginx's gRPC (h2c) listener.</summary>
    public string GrpcAuthority => $"127.0.0.1:{_state.GetProperty("nginx").GetProperty("grpc").GetInt32()}";

    /// <summary>nginx's HTTP/1.1 listener.</summary>
    public Uri HttpAddress => new($"http://127.0.0.1:{_state.GetProperty("nginx").GetProperty("http").GetInt32()}/");

    /// <summary>The API key of the client without a practical limit.</summary>
    public string OfficeKey => _state.GetProperty("clients").GetProperty("office").GetString()!;

    /// <summary>The API key of the client limited as <c>up</c> was told.</summary>
    public string LimitedOfficeKey => _state.GetProperty("clients").GetProperty("limited-office").GetString()!;

    /// <summary>Each instance's management address (its own /metrics and /readyz).</summary>
    public IReadOnlyList<Uri> ManagementAddresses =>
        [.. _state.GetProperty("instances").EnumerateArray().Select(i => new Uri($"http://127.0.0.1:{i.GetProperty("management").GetInt32()}/"))];

    /// <summary>Each instance's journal file.</summary>
    public IReadOnlyList<string> Journals => [.. _state.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("journal").GetString()!)];

    /// <summary>Runs <c>cluster.py up --detach</c> with <paramref name="arguments"/>; returns once every part serves.</summary>
    public static async Task<GatewayCluster> StartAsync(params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("pg-cluster-").FullName;
        ProcessResult result;
        try
        {
            result = await RunAsync(["up", "--detach", "--no-build", "--dir", folder, .. arguments], TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            // cluster.py was killed: what it had started (in sessions of their own) is still running.
            await StopWhatStartedAsync(folder);
            throw;
        }

        if (result.ExitCode != 0)
        {
            await StopWhatStartedAsync(folder);
            throw new InvalidOperationException($"cluster.py up failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
        }

        return new GatewayCluster(folder);
    }

    /// <summary>A channel to nginx's gRPC listener with <paramref name="serviceConfig"/> (a retry policy, say) over <paramref name="handler"/>.</summary>
    public GrpcChannel Channel(ServiceConfig? serviceConfig = null, HttpMessageHandler? handler = null) =>
        GrpcChannel.ForAddress("http://" + GrpcAuthority, new GrpcChannelOptions { ServiceConfig = serviceConfig, HttpHandler = handler });

    /// <summary>A front-desk client of <paramref name="apiKey"/> over <paramref name="channel"/>, with the tests' operator and purpose.</summary>
    public static FrontDeskService.FrontDeskServiceClient Desk(ChannelBase channel, string apiKey) =>
        TestGateway.ClientWith(channel, apiKey, TestSecrets.OperatorId, TestSecrets.Purpose);

    /// <summary>Restarts every instance, one at a time (SIGTERM, drain, exit 0, start, ready); what the script printed.</summary>
    public async Task<string> RollingRestartAsync()
    {
        var result = await RunAsync(["rolling-restart", _folder], TimeSpan.FromMinutes(5));
        _state = ReadState();
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"cluster.py rolling-restart failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
    }

    /// <summary>Stops every process (instances drained and their journals checkpointed).</summary>
    public async Task StopAsync() => await RunAsync(["down", _folder], TimeSpan.FromMinutes(3));

    /// <summary>Verifies every instance's journal; the exit code and what the verifier said.</summary>
    public async Task<(int ExitCode, string Output)> VerifyJournalsAsync()
    {
        var result = await RunAsync(["verify", _folder], TimeSpan.FromMinutes(2));
        return (result.ExitCode, result.Output + result.Error);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var log in Directory.GetFiles(_folder, "gw*.log"))
        {
            CapturedLogs.Append(await File.ReadAllTextAsync(log));
        }

        if (Environment.GetEnvironmentVariable("PG_CLUSTER_KEEP") == "1")
        {
            return;   // for looking into: its logs, journals, nginx's configuration and error log
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleaning (PostgreSQL's files belong to the postgres user).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task StopWhatStartedAsync(string folder)
    {
        if (File.Exists(Path.Combine(folder, "cluster.json")))
        {
            await new GatewayCluster(folder).DisposeAsync();
        }
    }

    private JsonElement ReadState() => JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "cluster.json"))).RootElement.Clone();

    private static Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan deadline) =>
        ChildProcess.RunAsync(
            new ProcessCommand("python3", [Path.Combine(Repository.Root, "tools", "cluster", "cluster.py"), .. arguments])
            {
                Environment = new Dictionary<string, string> { ["PG_CONFIGURATION"] = Repository.Configuration },
            },
            deadline);
}
