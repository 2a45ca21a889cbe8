using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ProviderGateway.Bench.Processes;

/// <summary>
/// A server process of the benchmark (gateway, demo provider, Redis), started from its own folder and
/// metered from /proc: CPU time (user + system) and peak resident memory.
/// </summary>
public sealed class MeteredProcess : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // getconf CLK_TCK on Linux
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MeteredProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>What the process is, in reports.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <paramref name="fileName"/> and waits until a line of its output matches <paramref name="ready"/>.</summary>
    public static async Task<MeteredProcess> StartAsync(string name, string fileName, IEnumerable<string> arguments, Regex ready, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var metered = new MeteredProcess(name, process);
        var isReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (metered._output)
            {
                metered._output.AppendLine(line);
            }

            if (ready.IsMatch(line))
            {
                isReady.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => isReady.TrySetException(new InvalidOperationException($"{name} exited early:\n{metered.Output}")), TaskScheduler.Default);
        await isReady.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return metered;
    }

    /// <summary>Everything the process printed.</summary>
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
    /// CPU time used so far (user + system) by the process and its live child processes (nginx's workers),
    /// from /proc/PID/stat.
    /// </summary>
    public TimeSpan CpuTime => ProcessTree().Select(pid => ReadCpuTime(pid) ?? TimeSpan.Zero).Aggregate(TimeSpan.Zero, (sum, cpu) => sum + cpu);

    /// <summary>Peak resident memory so far (VmHWM), in bytes, summed over the process and its live children.</summary>
    public long PeakRssBytes => ProcessTree().Sum(PeakRssOf);

    private static long PeakRssOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The process and its direct children (from /proc/PID/task/*/children).</summary>
    private IEnumerable<int> ProcessTree()
    {
        yield return Id;
        IEnumerable<string> children;
        try
        {
            children = Directory.GetDirectories($"/proc/{Id}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToList();
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var child in children)
        {
            yield return int.Parse(child, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>CPU time of any process, or <c>null</c> once it has gone.</summary>
    public static TimeSpan? ReadCpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
