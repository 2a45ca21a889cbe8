using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ProviderGateway.DemoProviders;

namespace ProviderGateway.Chaos.Parts;

/// <summary>A gateway of the run: its process, where it listens and its journal.</summary>
/// <param name="Name">A or B.</param>
/// <param name="InstanceId">Gateway:Security:Journal:InstanceId.</param>
/// <param name="Process">The process.</param>
/// <param name="Grpc">The gRPC (HTTP/2 cleartext) endpoint the desk calls.</param>
/// <param name="Management">The management endpoint (/metrics).</param>
/// <param name="JournalPath">Its access journal (the anchor file beside it).</param>
public sealed record ChaosGateway(string Name, string InstanceId, ChaosProcess Process, Uri Grpc, Uri Management, string JournalPath);

/// <summary>A demo provider of the run: its process and address (kept across restarts).</summary>
/// <param name="Seed">The provider in the seed.</param>
/// <param name="Process">The process.</param>
/// <param name="Address">Where it serves gRPC and the /demo endpoints.</param>
public sealed record ChaosProvider(DemoSeedProvider Seed, ChaosProcess Process, Uri Address);

/// <summary>
/// Every part of the run as a real process on loopback, on ports fixed at start so that a killed part comes back
/// where it was: the nine demo providers of the seed, one redis-server, and two gateways sharing the Redis, each
/// with its own journal.
/// </summary>
public sealed partial class ChaosCluster : IAsyncDisposable
{
    private ChaosCluster(ChaosSecrets secrets, ChaosProcess redis, string redisConfiguration, IReadOnlyList<ChaosProvider> providers, IReadOnlyList<ChaosGateway> gateways)
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
    public ChaosProcess Redis { get; }

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
        var started = new List<ChaosProcess>();
        try
        {
            var redisPort = FreePort();
            var redisTask = ChaosProcess.StartAsync(
                "redis",
                new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists) ?? "redis-server",
                ["--port", redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
                RedisReadyLine());
            var standalone = Built(repositoryRoot, configuration, "ProviderGateway.DemoProviders.Standalone");
            var providerTasks = seed.Providers.Select(async p =>
            {
                var address = new Uri($"http://127.0.0.1:{FreePort()}");
                var process = await ChaosProcess.StartAsync(p.Id, "dotnet", [standalone, "--provider-id", p.Id, "--url", address.ToString().TrimEnd('/')], ProviderReadyLine());
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
                var grpc = new Uri($"http://127.0.0.1:{FreePort()}");
                var management = new Uri($"http://127.0.0.1:{FreePort()}");
                var journal = Path.Combine(Directory.CreateDirectory(Path.Combine(secrets.Folder, g.Item2)).FullName, "journal.jsonl");
                var arguments = GatewayArguments(gatewayDll, secrets, providers, redisConfiguration, grpc, management, journal, g.Item2);
                var process = await ChaosProcess.StartAsync($"gateway {g.Item1}", "dotnet", arguments, GatewayReadyLine());
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

    private static List<string> GatewayArguments(
        string dll, ChaosSecrets secrets, IReadOnlyList<ChaosProvider> providers, string redis, Uri grpc, Uri management, string journal, string instance)
    {
        List<string> arguments =
        [
            dll,
            $"--Kestrel:Endpoints:Grpc:Url={grpc.ToString().TrimEnd('/')}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{FreePort()}",
            $"--Kestrel:Endpoints:Management:Url={management.ToString().TrimEnd('/')}",
            "--hostBuilder:reloadConfigOnChange=false",
            // Providers may take longer than the desk waits (a slow registry): the desk's deadline, not the provider's, then
            // ends a call to a hanging provider, which is the edge the deadline rules are about.
            "--Gateway:DefaultProviderDeadline=00:00:10",
            // Shared by both instances: one Redis, values sealed and encrypted under the same keys, page tokens either can read.
            $"--Gateway:Caching:Redis={redis}",
            $"--Gateway:Caching:KeySecret={secrets.CacheKeySecret}",
            $"--Gateway:Caching:EncryptionKey={secrets.CacheEncryptionKey}",
            $"--Gateway:Security:PageTokens:Key={secrets.PageTokenKey}",
            // Each instance its own chain, files and anchor.
            $"--Gateway:Security:Journal:Path={journal}",
            $"--Gateway:Security:Journal:InstanceId={instance}",
            $"--Gateway:Security:Journal:SubjectKey={secrets.SubjectKey}",
            $"--Gateway:Security:Journal:ChainKey={secrets.ChainKey}",
            $"--Gateway:Security:Journal:SigningKey={secrets.SigningKeyPath}",
            $"--Gateway:Security:Clients:0:Id={secrets.ClientId}",
            $"--Gateway:Security:Clients:0:ApiKeySha256:0={secrets.ApiKeySha256}",
            "--Gateway:Security:Clients:0:Permissions:0=*",
            "--Gateway:Security:Clients:0:Districts:0=*",
            "--Gateway:Security:Clients:0:RateLimit:CallsPerSecond=1000000",
            "--Gateway:Security:Clients:0:RateLimit:Burst=1000000",
        ];
        for (var i = 0; i < providers.Count; i++)
        {
            var p = providers[i];
            arguments.Add($"--Gateway:Providers:{i}:Id={p.Seed.Id}");
            arguments.Add($"--Gateway:Providers:{i}:Domain={p.Seed.Domain}");
            arguments.Add($"--Gateway:Providers:{i}:Endpoint={p.Address}");
            for (var k = 0; k < p.Seed.KatoCodes.Count; k++)
            {
                arguments.Add($"--Gateway:Providers:{i}:KatoCodes:{k}={p.Seed.KatoCodes[k]}");
            }
        }

        return arguments;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex RedisReadyLine();

    [GeneratedRegex("listening on http://", RegexOptions.IgnoreCase)]
    private static partial Regex ProviderReadyLine();

    // The last line start-up writes.
    [GeneratedRegex("Try it: ")]
    private static partial Regex GatewayReadyLine();
}
