using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ProviderGateway.Chaos.Parts;

/// <summary>
/// One part of the chaos run as a real process (a demo provider, redis-server, a gateway), started with fixed
/// arguments (fixed ports), so it can be killed with SIGKILL and started again exactly as it was. Its output,
/// every life of it, is kept for the IIN scan.
/// </summary>
public sealed class ChaosProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly string _fileName;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Regex _ready;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ChaosProcess(string name, string fileName, IReadOnlyList<string> arguments, Regex ready)
    {
        Name = name;
        _fileName = fileName;
        _arguments = arguments;
        _ready = ready;
    }

    /// <summary>What the part is, in reports.</summary>
    public string Name { get; }

    /// <summary>How many times it was started.</summary>
    public int Lives { get; private set; }

    /// <summary>Everything it printed, every life, in order.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> and waits until a line of its output matches <paramref name="ready"/>.</summary>
    public static async Task<ChaosProcess> StartAsync(string name, string fileName, IReadOnlyList<string> arguments, Regex ready)
    {
        var part = new ChaosProcess(name, fileName, arguments, ready);
        await part.StartAgainAsync();
        return part;
    }

    /// <summary>Starts the process (again, after <see cref="KillAsync"/>) with the same arguments; returns once it is ready.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is still running.");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo(_fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        Lives++;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (_ready.IsMatch(line))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _ = process.WaitForExitAsync().ContinueWith(_ => ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready:\n{Output}")), TaskScheduler.Default);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await KillAsync();
            throw;
        }
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a process (the gateway drains and checkpoints its journal); SIGKILL after <paramref name="grace"/>.</summary>
    /// <returns><c>true</c> when it exited within the grace period.</returns>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
        {
            return true;
        }

        _ = Kill(process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call at the end of a run
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
