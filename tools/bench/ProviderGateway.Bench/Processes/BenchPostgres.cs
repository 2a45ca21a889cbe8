using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ProviderGateway.Bench.Processes;

/// <summary>
/// Debian's PostgreSQL for the benchmark (the recipe of tests/ProviderGateway.FunctionalTests/Infrastructure/PostgresServer.cs):
/// a cluster made by <c>initdb</c> in a temporary folder, run as the non-root <c>postgres</c> user (PostgreSQL refuses root)
/// with <c>setpriv</c> on a free loopback port, with the durability the gateway relies on (<c>fsync</c> and
/// <c>synchronous_commit</c> on; the rest of the server's settings at their defaults).
/// </summary>
public sealed partial class BenchPostgres : IAsyncDisposable
{
    private const string User = "postgres";
    private readonly string _folder;

    private BenchPostgres(string folder, MeteredProcess process, int port)
    {
        _folder = folder;
        Process = process;
        Port = port;
    }

    /// <summary>The postmaster (and, for CPU and memory, its backends).</summary>
    public MeteredProcess Process { get; }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string to its <c>postgres</c> database (trust authentication on loopback); pooling as shipped.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres";

    /// <summary>The folder of PostgreSQL's programs, or <c>null</c> when PostgreSQL 15 is not installed (<c>tools/setup.sh</c>).</summary>
    public static string? BinFolder => File.Exists("/usr/lib/postgresql/15/bin/postgres") ? "/usr/lib/postgresql/15/bin" : null;

    /// <summary>Makes a new cluster in a temporary folder and starts it; returns once it accepts connections.</summary>
    public static async Task<BenchPostgres> StartAsync()
    {
        var bin = BinFolder ?? throw new InvalidOperationException("PostgreSQL 15 is not installed (tools/setup.sh installs it).");

        // Under the system's temporary folder, not the benchmark's work folder: that one is readable by its owner only.
        var folder = Path.Combine(Path.GetTempPath(), $"providergateway-bench-postgres-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        await RunAsync("chown", [$"{User}:{User}", folder]);
        await RunAsync("setpriv", AsPostgres(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-U", User, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]));
        var port = FreePort();
        var process = await MeteredProcess.StartAsync(
            "postgres",
            "setpriv",
            AsPostgres(Path.Combine(bin, "postgres"),
            [
                "-D", Path.Combine(folder, "data"), "-p", port.ToString(CultureInfo.InvariantCulture), "-k", folder,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "logging_collector=off",
            ]),
            ReadyLine(),
            folder);
        return new BenchPostgres(folder, process, port);
    }

    /// <summary>Stops the server (and its backends) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
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
    private static string[] AsPostgres(string program, IReadOnlyList<string> arguments) =>
        ["--reuid", User, "--regid", User, "--init-groups", "--", program, .. arguments];

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("database system is ready to accept connections")]
    private static partial Regex ReadyLine();
}
