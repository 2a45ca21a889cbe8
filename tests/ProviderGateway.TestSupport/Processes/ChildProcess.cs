using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ProviderGateway.TestSupport.Processes;

/// <summary>
/// A program the tests run beside them (redis-server, a demo provider, a gateway, a script): started with its output
/// (standard output and error, line by line) captured, ready once a line matches, killed (SIGKILL, as a crash) or
/// stopped (SIGTERM, as an orchestrator does), and started again with the same or a changed command. Its output,
/// every life of it, is kept, so a log scan sees everything it printed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>How long a start waits for the ready line unless told otherwise.</summary>
    public static readonly TimeSpan DefaultReadyDeadline = TimeSpan.FromSeconds(60);

    private const int SigTerm = 15;
    private readonly Regex _ready;
    private readonly TimeSpan _readyDeadline;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Match _readyMatch = Match.Empty;

    private ChildProcess(string name, ProcessCommand command, Regex ready, TimeSpan readyDeadline)
    {
        Name = name;
        Command = command;
        _ready = ready;
        _readyDeadline = readyDeadline;
    }

    /// <summary>What the process is, in messages.</summary>
    public string Name { get; }

    /// <summary>The command of its current (or last) life.</summary>
    public ProcessCommand Command { get; private set; }

    /// <summary>How many times it was started.</summary>
    public int Lives { get; private set; }

    /// <summary>The match of the line that made the current life ready (its groups carry an address, say).</summary>
    public Match ReadyMatch => _readyMatch;

    /// <summary>The operating system's id of the current life.</summary>
    public int Id => (_process ?? throw new InvalidOperationException($"{Name} was never started.")).Id;

    /// <summary>Whether the current life has ended.</summary>
    public bool HasExited => _process is null or { HasExited: true };

    /// <summary>Everything it printed (standard output and error, as lines arrived), every life, in order.</summary>
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

    /// <summary>
    /// Starts <paramref name="command"/> and returns once a line it prints matches <paramref name="ready"/>; throws, with
    /// what it printed, when it exits first or <paramref name="readyDeadline"/> (60 s when <c>null</c>) passes, killing it.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string name, ProcessCommand command, Regex ready, TimeSpan? readyDeadline = null)
    {
        var process = new ChildProcess(name, command, ready, readyDeadline ?? DefaultReadyDeadline);
        await process.StartAgainAsync();
        return process;
    }

    /// <summary>
    /// Starts the process again after it ended (<see cref="KillAsync"/>, <see cref="StopAsync"/>), with the same command or
    /// <paramref name="command"/>; returns once it is ready.
    /// </summary>
    public async Task StartAgainAsync(ProcessCommand? command = null)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException($"{Name} is still running.");
        }

        _process?.Dispose();
        Command = command ?? Command;
        var ready = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = Command.ToStartInfo() };
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

            if (!ready.Task.IsCompleted && _ready.Match(line) is { Success: true } match)
            {
                ready.TrySetResult(match);
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{Name} ({Command.FileName}) did not start.");
        }

        _process = process;
        _readyMatch = Match.Empty;
        Lives++;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Once exited, its output has been read to the end: a ready line it printed has been seen by then.
        _ = process.WaitForExitAsync().ContinueWith(
            _ => ready.TrySetException(new InvalidOperationException($"{Name} exited with {process.ExitCode} before it was ready:\n{Output}")),
            TaskScheduler.Default);
        try
        {
            _readyMatch = await ready.Task.WaitAsync(_readyDeadline);
        }
        catch (TimeoutException)
        {
            await KillAsync();
            throw new TimeoutException($"{Name} was not ready within {_readyDeadline.TotalSeconds:0} s:\n{Output}");
        }
        catch
        {
            await KillAsync();
            throw;
        }
    }

    /// <summary>SIGKILL to the process and its children, as a crash or the OOM killer would; returns once it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a process (a gateway drains, checkpoints its journal); SIGKILL after <paramref name="grace"/>.</summary>
    /// <returns><c>true</c> when it exited within the grace period.</returns>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } process)
        {
            return true;
        }

        if (OperatingSystem.IsWindows())
        {
            await KillAsync();
            return false;
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

    /// <summary>Sends <paramref name="signal"/> (15 SIGTERM, 2 SIGINT …) and returns at once.</summary>
    public void Signal(int signal)
    {
        if (_process is { HasExited: false } process && !OperatingSystem.IsWindows())
        {
            _ = Kill(process.Id, signal);
        }
    }

    /// <summary>Waits for the process to exit by itself; its exit code, or a <see cref="TimeoutException"/> after <paramref name="within"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        await process.WaitForExitAsync().WaitAsync(within);
        return process.ExitCode;
    }

    /// <summary>Runs <paramref name="command"/> to its end and returns what it printed; kills it and throws when <paramref name="deadline"/> passes first.</summary>
    public static async Task<ProcessResult> RunAsync(ProcessCommand command, TimeSpan deadline)
    {
        using var process = Process.Start(command.ToStartInfo()) ?? throw new InvalidOperationException($"{command.FileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{command.FileName} did not end within {deadline.TotalSeconds:0} s:\n{await output}\n{await error}");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for one call
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
