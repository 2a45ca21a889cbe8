using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ProviderGateway.Bench.Load;

namespace ProviderGateway.Bench.Processes;

/// <summary>Starts the benchmark's servers from the Release build, each on free loopback ports.</summary>
public sealed partial class BenchServers(string repositoryRoot)
{
    // Fixed for the benchmark only: every gateway instance sharing a Redis needs the same secrets.
    private const string KeySecret = "YmVuY2htYXJrLWtleS1zZWNyZXQtb2YtdGhlLWdhdGV3YXk=";

    // The journal's checkpoint signing key: one P-256 key per benchmark run, readable by this user only.
    private static readonly Lazy<string> JournalSigningKey = new(() =>
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "providergateway-bench")).FullName, $"journal-signing-{Guid.NewGuid():N}.pem");
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    });
    private const string EncryptionKey = "YmVuY2htYXJrLWVuY3J5cHRpb24ta2V5LTMyLWJ5dGU=";

    /// <summary>A demo provider as its own process, as a real provider would be, with optional fault arguments.</summary>
    public async Task<(MeteredProcess Process, Uri Address)> StartDemoProviderAsync(string providerId, string name = "provider", params string[] faults)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var process = await MeteredProcess.StartAsync(
            name,
            "dotnet",
            [Built("ProviderGateway.DemoProviders.Standalone"), "--provider-id", providerId, "--url", address.ToString().TrimEnd('/'), .. faults],
            ListeningLine());
        return (process, address);
    }

    /// <summary>Debian's redis-server without persistence.</summary>
    public async Task<(MeteredProcess Process, string Configuration)> StartRedisAsync()
    {
        var port = FreePort().ToString(CultureInfo.InvariantCulture);
        var process = await MeteredProcess.StartAsync(
            "redis",
            "redis-server",
            ["--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            RedisReadyLine());
        return (process, $"127.0.0.1:{port}");
    }

    /// <summary>
    /// The gateway in its production configuration: one provider configured, Redis with encrypted values,
    /// logs at Warning. <paramref name="memoryCache"/> false sends every read to Redis.
    /// </summary>
    public Task<(MeteredProcess Process, Uri Address, Uri Management)> StartGatewayAsync(string name, string providerId, Uri providerAddress, string redis, bool memoryCache) =>
        StartGatewayAsync(name, [(providerId, "utilities", providerAddress)], redis, [$"Gateway:Caching:MemoryCacheEnabled={memoryCache}"]);

    /// <summary>
    /// The gateway in its production configuration with several providers and extra settings (<c>Key=Value</c>);
    /// <c>Management</c> is its management endpoint (<c>/metrics</c>).
    /// </summary>
    public async Task<(MeteredProcess Process, Uri Address, Uri Management)> StartGatewayAsync(
        string name,
        IReadOnlyList<(string Id, string Domain, Uri Address)> providers,
        string redis,
        IEnumerable<string> settings)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var http = new Uri($"http://127.0.0.1:{FreePort()}");
        var management = new Uri($"http://127.0.0.1:{FreePort()}");
        List<string> arguments =
        [
            Built("ProviderGateway"),
            $"--Kestrel:Endpoints:Grpc:Url={address.ToString().TrimEnd('/')}",
            $"--Kestrel:Endpoints:Http:Url={http.ToString().TrimEnd('/')}",
            $"--Kestrel:Endpoints:Management:Url={management.ToString().TrimEnd('/')}",
            "--hostBuilder:reloadConfigOnChange=false",
            // The shipped logging levels (appsettings.json): what is measured is what ships.
            $"--Gateway:Caching:Redis={redis}",
            $"--Gateway:Caching:KeySecret={KeySecret}",
            $"--Gateway:Caching:EncryptionKey={EncryptionKey}",
            // Every call is journaled, as in production: the figures include it.
            $"--Gateway:Security:Journal:Path={Path.Combine(Path.GetTempPath(), "providergateway-bench", $"{name}-{Guid.NewGuid():N}.jsonl")}",
            $"--Gateway:Security:Journal:SubjectKey={KeySecret}",
            $"--Gateway:Security:Journal:ChainKey={KeySecret}",
            $"--Gateway:Security:Journal:SigningKey={JournalSigningKey.Value}",
            $"--Gateway:Security:PageTokens:Key={KeySecret}",
            // The hop drives 160 calls in flight: a provider sized for that (the default, 64, would refuse the rest
            // as PROVIDER_BUSY, fast failures that h2load counts as HTTP 200).
            "--Gateway:Resilience:MaxConcurrentCalls=1024",
        ];
        arguments.AddRange(BenchClient.Settings().Select(s => "--" + s));
        for (var i = 0; i < providers.Count; i++)
        {
            arguments.Add($"--Gateway:Providers:{i}:Id={providers[i].Id}");
            arguments.Add($"--Gateway:Providers:{i}:Domain={providers[i].Domain}");
            arguments.Add($"--Gateway:Providers:{i}:Endpoint={providers[i].Address}");
        }

        arguments.AddRange(settings.Select(s => "--" + s));
        var process = await MeteredProcess.StartAsync(name, "dotnet", arguments, ServingLine());
        return (process, address, management);
    }

    /// <summary>YARP 2.3 as a plain gRPC forwarder to <paramref name="destination"/> (tools/bench/ProviderGateway.Bench.Yarp).</summary>
    public async Task<(MeteredProcess Process, Uri Address)> StartYarpAsync(Uri destination)
    {
        var port = FreePort();
        var dll = Built(Path.Combine("tools", "bench"), "ProviderGateway.Bench.Yarp");

        var process = await MeteredProcess.StartAsync(
            "yarp",
            "dotnet",
            [dll, "--listen", $"127.0.0.1:{port}", "--destination", destination.ToString().TrimEnd('/')],
            YarpReadyLine());
        return (process, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>
    /// The floor (tools/bench/ProviderGateway.Bench.Bare): a bare gRPC server with no safeguard, forwarding each call to
    /// <paramref name="destination"/> (<paramref name="mode"/> <c>forward</c>) or answering it from Redis with two reads
    /// (<c>redis</c>); <c>Calls</c> is its count of answered calls.
    /// </summary>
    public async Task<(MeteredProcess Process, Uri Address, Uri Calls)> StartBareAsync(string mode, Uri destination, string redis)
    {
        var port = FreePort();
        var callsPort = FreePort();
        var dll = Built(Path.Combine("tools", "bench"), "ProviderGateway.Bench.Bare");

        var process = await MeteredProcess.StartAsync(
            "bare",
            "dotnet",
            [dll, "--listen", $"127.0.0.1:{port}", "--calls-listen", $"127.0.0.1:{callsPort}", "--destination", destination.ToString().TrimEnd('/'), "--mode", mode, "--redis", redis],
            BareReadyLine());
        return (process, new Uri($"http://127.0.0.1:{port}"), new Uri($"http://127.0.0.1:{callsPort}/calls"));
    }

    /// <summary>
    /// nginx's <c>grpc_pass</c> to <paramref name="destination"/> (HTTP/2 cleartext in, keep-alive upstream), with as
    /// many workers as cores; <c>null</c> when nginx is not installed.
    /// </summary>
    public async Task<(MeteredProcess Process, Uri Address)?> StartNginxAsync(Uri destination, string workDirectory)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists);
        if (nginx is null)
        {
            return null;
        }

        var port = FreePort();
        var prefix = Directory.CreateDirectory(Path.Combine(workDirectory, $"nginx-{port}")).FullName;
        var configuration = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(configuration, $$"""
            worker_processes auto;
            daemon off;
            pid {{prefix}}/nginx.pid;
            error_log stderr notice;
            events { worker_connections 4096; }
            http {
                access_log off;
                # nginx closes a connection after 1000 requests by default (client and upstream): calls in
                # flight on it then fail. The load generator keeps its connections for the whole run.
                keepalive_requests 10000000;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                upstream provider {
                    server {{destination.Authority}};
                    keepalive 64;
                    keepalive_requests 10000000;
                }
                server {
                    listen 127.0.0.1:{{port}} http2;
                    http2_max_concurrent_streams 1000;
                    location / {
                        grpc_pass grpc://provider;
                    }
                }
            }
            """);
        var process = await MeteredProcess.StartAsync("nginx", nginx, ["-p", prefix, "-c", configuration], NginxReadyLine());
        return (process, new Uri($"http://127.0.0.1:{port}"));
    }

    private string Built(string project) => Built("src", project);

    // The Release build of a project under <folder>/<project>.
    private string Built(string folder, string project)
    {
        var dll = Path.Combine(repositoryRoot, folder, project, "bin", "Release", "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build in Release first (tools/bench/run.sh does).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("listening on http://")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex RedisReadyLine();

    [GeneratedRegex(@"serving gRPC \(HTTP/2\) on")]
    private static partial Regex ServingLine();

    [GeneratedRegex("yarp forwarder listening on")]
    private static partial Regex YarpReadyLine();

    [GeneratedRegex(@"bare \w+ listening on")]
    private static partial Regex BareReadyLine();

    [GeneratedRegex("start worker process")]
    private static partial Regex NginxReadyLine();
}
