using ProviderGateway.TestSupport.Processes;
using StackExchange.Redis;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A real redis-server (Debian's package) on a free loopback port, with no persistence, that tests can
/// kill and start again on the same port. Fails, rather than skips, when redis-server is missing.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private ChildProcess? _process;

    private RedisServer(int port) => Port = port;

    /// <summary>The port it listens on (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string the gateway takes.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free port.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(LoopbackPorts.Free());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port, with empty data; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is null)
        {
            _process = await ChildProcess.StartAsync("redis-server", ProcessCommand.ForRedis(Port), ReadyLines.Redis, TimeSpan.FromSeconds(20));
        }
        else
        {
            await _process.StartAgainAsync();
        }
    }

    /// <summary>Kills the server (SIGKILL, as a crash would) and waits until it is gone. Its data is lost.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.KillAsync();
        }
    }

    /// <summary>Every key and its stored content (hash fields, strings), for scanning.</summary>
    public async Task<IReadOnlyList<(string Key, byte[] Value)>> DumpAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true");
        var server = connection.GetServer(Configuration);
        var database = connection.GetDatabase();
        var entries = new List<(string, byte[])>();
        await foreach (var key in server.KeysAsync(pageSize: 500))
        {
            var type = await database.KeyTypeAsync(key);
            var bytes = type switch
            {
                RedisType.Hash => (await database.HashGetAllAsync(key)).SelectMany(e => ((byte[])e.Name!).Concat((byte[])e.Value!)).ToArray(),
                RedisType.String => (byte[])(await database.StringGetAsync(key))!,
                _ => [],
            };
            entries.Add((key.ToString(), bytes));
        }

        return entries;
    }

    /// <summary>A Redis INFO stat, for example keyspace_hits.</summary>
    public async Task<long> StatAsync(string name)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true");
        var info = await connection.GetServer(Configuration).InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).Single(p => p.Key == name).Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
