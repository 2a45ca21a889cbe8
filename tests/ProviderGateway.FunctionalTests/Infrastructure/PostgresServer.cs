using System.Globalization;
using Npgsql;
using ProviderGateway.TestSupport.Processes;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's package) for tests: a cluster made by <c>initdb</c> in a temporary folder, run as the
/// non-root <c>postgres</c> user (PostgreSQL refuses root) on a free loopback port, with the durability the gateway relies
/// on (<c>fsync</c> and <c>synchronous_commit</c> on). Tests can kill it (SIGKILL, as a crash would) and start it again on
/// the same data and port. Fails, rather than skips, when PostgreSQL is missing (<c>tools/setup.sh</c> installs it).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "postgres";
    private readonly string _folder;
    private ChildProcess? _process;

    private PostgresServer(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    /// <summary>The port it listens on, on 127.0.0.1 (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>A connection string to its <c>postgres</c> database as the superuser (trust authentication on loopback).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres;Timeout=5;Pooling=false";

    /// <summary>The folder of PostgreSQL's programs (<c>initdb</c>, <c>postgres</c>, <c>pg_dump</c>).</summary>
    public static string BinFolder =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
              ?? throw Missing()
            : throw Missing();

    /// <summary>Makes a new cluster in a temporary folder and starts it on a free port.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"postgres-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        await RunAsync("chown", [$"{User}:{User}", folder]);
        var init = await ChildProcess.RunAsync(AsPostgres(Path.Combine(BinFolder, "initdb"), ["-D", Path.Combine(folder, "data"), "-U", User, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]), TimeSpan.FromMinutes(2));
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed ({init.ExitCode}): {init.Output}{init.Error}");
        }

        var server = new PostgresServer(folder, LoopbackPorts.Free());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its data and port; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is null)
        {
            var command = AsPostgres(Path.Combine(BinFolder, "postgres"),
            [
                "-D", Path.Combine(_folder, "data"), "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _folder,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "logging_collector=off",
            ]);
            _process = await ChildProcess.StartAsync("postgres", command, ReadyLines.Postgres, TimeSpan.FromSeconds(60));
        }
        else
        {
            await _process.StartAgainAsync();
        }
    }

    /// <summary>Kills the server (SIGKILL to the postmaster, as a crash would) and waits until it is gone; committed data stays.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.KillAsync();
        }
    }

    /// <summary>Opens a connection to the <c>postgres</c> database.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A backend still exiting may hold a file for a moment; the temporary folder is the system's to clean.
        }
    }

    // setpriv executes the program as the user (no forked parent left behind, unlike runuser), so a kill reaches the postmaster itself.
    private static ProcessCommand AsPostgres(string program, IReadOnlyList<string> arguments) =>
        new("setpriv", ["--reuid", User, "--regid", User, "--init-groups", "--", program, .. arguments]);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var result = await ChildProcess.RunAsync(new ProcessCommand(program, arguments), TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({result.ExitCode}): {result.Error}");
        }
    }

    private static InvalidOperationException Missing() =>
        new("PostgreSQL is not installed. Install Debian's package: 'apt-get install -y postgresql' (tools/setup.sh does it).");
}
