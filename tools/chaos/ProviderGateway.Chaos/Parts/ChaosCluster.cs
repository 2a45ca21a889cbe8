using System.Net;
using ProviderGateway.DemoProviders;
using ProviderGateway.TestSupport.Processes;
using ProviderGateway.TestSupport.Settings;

namespace ProviderGateway.Chaos.Parts;

/// <summary>A gateway of the run: its process, where it listens and its journal.</summary>
/// <param name="Name">A or B.</param>
/// <param name="InstanceId">Gateway:Security:Journal:InstanceId.</param>
/// <param name="Process">The process.</param>
/// <param name="Grpc">The gRPC (HTTP/2 cleartext) endpoint the desk calls.</param>
/// <param name="Management">The management endpoint (/metrics).</param>
/// <param name="JournalPath">Its access journal (the anchor file beside it).</param>
public sealed record ChaosGateway(string Name, string InstanceId, ChildProcess Process, Uri Grpc, Uri Management, string JournalPath);

/// <summary>A demo provider of the run: its process and address (kept across restarts).</summary>
/// <param name="Seed">The provider in the seed.</param>
/// <param name="Process">The process.</param>
/// <param name="Address">Where it serves gRPC and the /demo endpoints.</param>
public sealed record ChaosProvider(DemoSeedProvider Seed, ChildProcess Process, Uri Address);

/// <summary>
/// Every part of the run as a real process on loopback, on ports fixed at start so that a killed part comes back
/// where it was: the nine demo providers of the seed, one redis-server, and two gateways sharing the Redis, each
/// with its own journal.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    private ChaosCluster(ChaosSecrets secrets, ChildProcess redis, string redisConfiguration, IReadOnlyList<ChaosProvider> providers, IReadOnlyList<ChaosGateway> gateways)
    {
        Secrets = secrets;
        Redis = redis;
        RedisConfiguration = redisConfiguration;
        Providers = providers;
        Gateways = gateways;
    }

    /// <summary>The run's keys and folder.</summary>
    public ChaosSecrets Secrets { get; }

    /// <summary>redis-server.</summary>
    public ChildProcess Redis { get; }

    /// <summary>host:port of Redis.</summary>
    public string RedisConfiguration { get; }

    /// <summary>The demo providers, in seed order.</summary>
    public IReadOnlyList<ChaosProvider> Providers { get; }

    /// <summary>Gateways A and B.</summary>
    public IReadOnlyList<ChaosGateway> Gateways { get; }

    /// <summary>The provider <paramref name="id"/>.</summary>
    public ChaosProvider Provider(string id) => Providers.Single(p => p.Seed.Id == id);

    /// <summary>Starts every part (providers and Redis at once, then both gateways at once).</summary>
    /// <param name="repositoryRoot">Where ProviderGateway.sln is.</param>
    /// <param name="configuration">The build configuration whose output is started (Release for run.sh).</param>
    /// <param name="gatewayDirectory">Where the gateway to start is; <c>null</c> for the build output.</param>
    /// <param name="seed">The demo seed.</param>
    public static async Task<ChaosCluster> StartAsync(string repositoryRoot, string configuration, string? gatewayDirectory, DemoSeed seed)
    {
        var secrets = ChaosSecrets.Create();
        var started = new List<ChildProcess>();
        try
        {
            var redisPort = LoopbackPorts.Free();
            var redisTask = ChildProcess.StartAsync("redis", ProcessCommand.ForRedis(redisPort) with { WorkingDirectory = Path.GetTempPath() }, ReadyLines.Redis);
            var standalone = Built(repositoryRoot, configuration, "ProviderGateway.DemoProviders.Standalone");
            var providerTasks = seed.Providers.Select(async p =>
            {
                var address = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
                var command = new ProcessCommand("dotnet", [standalone, "--provider-id", p.Id, "--url", address.ToString().TrimEnd('/')]) { WorkingDirectory = Path.GetTempPath() };
                var process = await ChildProcess.StartAsync(p.Id, command, ReadyLines.DemoProvider);
                lock (started)
                {
                    started.Add(process);
                }

                return new ChaosProvider(p, process, address);
            }).ToList();
            var redis = await redisTask;
            started.Add(redis);
            var providers = await Task.WhenAll(providerTasks);
            var redisConfiguration = $"127.0.0.1:{redisPort}";

            var gatewayDll = gatewayDirectory is null ? Built(repositoryRoot, configuration, "ProviderGateway") : Published(gatewayDirectory);
            var gatewayTasks = new[] { ("A", "gw-a"), ("B", "gw-b") }.Select(async g =>
            {
                var grpc = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
                var management = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
                var journal = Path.Combine(Directory.CreateDirectory(Path.Combine(secrets.Folder, g.Item2)).FullName, "journal.jsonl");
                var settings = GatewaySettings(secrets, providers, redisConfiguration, grpc, management, journal, g.Item2);
                var command = new ProcessCommand("dotnet", [gatewayDll, "--hostBuilder:reloadConfigOnChange=false", .. settings.ToArguments()]) { WorkingDirectory = Path.GetTempPath() };
                var process = await ChildProcess.StartAsync($"gateway {g.Item1}", command, ReadyLines.Gateway);
                lock (started)
                {
                    started.Add(process);
                }

                return new ChaosGateway(g.Item1, g.Item2, process, grpc, management, journal);
            }).ToList();
            var gateways = await Task.WhenAll(gatewayTasks);
            return new ChaosCluster(secrets, redis, redisConfiguration, providers, gateways);
        }
        catch
        {
            await Task.WhenAll(started.Select(p => p.DisposeAsync().AsTask()));
            throw;
        }
    }

    /// <summary>Demo providers' call counts (GET /demo/calls), per method.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CallsAsync(Uri provider)
    {
        using var http = NewHttp2Client();
        using var calls = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(provider, "/demo/calls")));
        return calls.RootElement.GetProperty("methods").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetInt64());
    }

    /// <summary>Sets faults of a demo provider (PUT /demo/faults, for example <c>{"hang":true}</c>).</summary>
    public static async Task SetFaultsAsync(Uri provider, string json)
    {
        using var http = NewHttp2Client();
        using var body = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri(provider, "/demo/faults"), body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /demo/faults {json} on {provider} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Gateways.Select(g => g.Process.DisposeAsync().AsTask()));
        await Task.WhenAll(Providers.Select(p => p.Process.DisposeAsync().AsTask()));
        await Redis.DisposeAsync();
    }

    private static HttpClient NewHttp2Client() =>
        new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(10) };

    private static GatewaySettings GatewaySettings(
        ChaosSecrets secrets, IReadOnlyList<ChaosProvider> providers, string redis, Uri grpc, Uri management, string journal, string instance)
    {
        var settings = new GatewaySettings()
            .WithEndpoints(grpc.ToString().TrimEnd('/'), $"http://127.0.0.1:{LoopbackPorts.Free()}", management.ToString().TrimEnd('/'))
            // Providers may take longer than the desk waits (a slow registry): the desk's deadline, not the provider's, then
            // ends a call to a hanging provider, which is the edge the deadline rules are about.
            .WithDefaultProviderDeadline(TimeSpan.FromSeconds(10))
            // Shared by both instances: one Redis, values sealed and encrypted under the same keys, page tokens either can read.
            .WithCaching(c => c.Redis(redis).KeySecret(secrets.CacheKeySecret).EncryptionKey(secrets.CacheEncryptionKey))
            .WithPageTokenKey(secrets.PageTokenKey)
            // Each instance its own chain, files and anchor.
            .WithJournal(j => j.Path(journal).InstanceId(instance).Keys(secrets.SubjectKey, secrets.ChainKey, secrets.SigningKeyPath))
            .WithClient(c => c.Id(secrets.ClientId).ApiKey(secrets.ApiKey).Permissions("*").Districts("*").Unlimited());
        foreach (var p in providers)
        {
            settings.WithProvider(s => s.Id(p.Seed.Id).Domain(p.Seed.Domain).Endpoint(p.Address).KatoCodes(p.Seed.KatoCodes));
        }

        return settings;
    }

    private static string Built(string repositoryRoot, string configuration, string project)
    {
        var dll = Path.Combine(repositoryRoot, "src", project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution in {configuration} first (tools/chaos/run.sh does).");
    }

    private static string Published(string directory)
    {
        var dll = Path.Combine(directory, "ProviderGateway.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: publish the gateway there first (tools/chaos/run.sh does).");
    }
}
