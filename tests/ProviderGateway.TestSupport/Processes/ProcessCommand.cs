namespace ProviderGateway.TestSupport.Processes;

/// <summary>A program to start: its file, arguments (passed as they are, no shell), folder and extra environment.</summary>
/// <param name="FileName">The program (a path, or a name looked up on PATH).</param>
/// <param name="Arguments">Its arguments, one element each.</param>
public sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The working folder; <c>null</c> for the current one.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables set on top of this process's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The same command with <paramref name="more"/> arguments after its own.</summary>
    public ProcessCommand WithArguments(params IEnumerable<string> more) => this with { Arguments = [.. Arguments, .. more] };

    /// <summary>The installed redis-server (Debian's package), or an explanation of how to install it.</summary>
    public static string RedisServer =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is not installed. Install Debian's package: 'apt-get install -y redis-server' (tools/setup.sh does it).");

    /// <summary>Arguments of a redis-server on 127.0.0.1:<paramref name="port"/> that keeps nothing on disk.</summary>
    public static ProcessCommand ForRedis(int port) => new(
        RedisServer,
        ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"]);

    internal System.Diagnostics.ProcessStartInfo ToStartInfo()
    {
        var start = new System.Diagnostics.ProcessStartInfo(FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (WorkingDirectory is not null)
        {
            start.WorkingDirectory = WorkingDirectory;
        }

        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}

/// <summary>How a program that ran to its end ended, and what it printed.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
public sealed record ProcessResult(int ExitCode, string Output, string Error);
