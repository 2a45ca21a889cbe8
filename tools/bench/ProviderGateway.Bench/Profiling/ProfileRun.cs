using System.Diagnostics;
using System.Globalization;
using ProviderGateway.Bench.Load;
using ProviderGateway.Bench.Processes;

namespace ProviderGateway.Bench.Profiling;

/// <summary>
/// Where one hop scenario's gateway CPU goes: the scenario's servers as the hop starts them (a demo provider, Redis, one
/// gateway with the same settings), a saturating warm-up, then <c>perf record</c> on the gateway while h2load drives it,
/// read into a per-stage table (<c>tools/bench/profile/stages.py</c>). Run by <c>tools/bench/profile.sh</c>, which sets
/// the runtime's perf map on (and W^X off, without which JIT-compiled code has no symbols in perf).
/// </summary>
public sealed class ProfileRun(BenchSettings settings, string repositoryRoot, string workDirectory, string output)
{
    /// <summary>Profiles <paramref name="scenario"/> (gateway-forward, l1-hit or redis-hit) and returns the table.</summary>
    public async Task<string> RunAsync(string scenario)
    {
        var (iin, accountNumber, katoCode) = HopBenchmark.SeedAccount(repositoryRoot);
        var servers = new BenchServers(repositoryRoot);
        var (provider, providerAddress) = await servers.StartDemoProviderAsync(HopBenchmark.ProviderId);
        await using var providerProcess = provider;
        var (redis, redisConfiguration) = await servers.StartRedisAsync();
        await using var redisProcess = redis;
        var (gateway, address, _) = await servers.StartGatewayAsync(
            "gateway", [(HopBenchmark.ProviderId, "utilities", providerAddress)], redisConfiguration, HopBenchmark.GatewaySettings(scenario, katoCode[..2]));
        await using var gatewayProcess = gateway;

        var request = HopBenchmark.DeskRequest(iin, accountNumber, katoCode);
        await GrpcCheck.CallAsync(address, HopBenchmark.DeskMethod, request);
        var target = new Uri(address, "/" + HopBenchmark.DeskMethod);
        var frame = Scenario.FrameOf(request);
        Console.WriteLine($"warm-up {scenario} ({settings.WarmUp.TotalSeconds:0} s)");
        await H2Load.RunAsync(target, frame, settings.Connections, settings.Streams, settings.WarmUp, workDirectory);

        // MEASURE: h2load and perf over the same window; CPU per call from /proc, as the hop reports it.
        var data = Path.Combine(workDirectory, "perf.data");
        var seconds = settings.Measure.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        using var perf = Process.Start(new ProcessStartInfo("perf", ["record", "-F", "999", "-g", "-p", gateway.Id.ToString(CultureInfo.InvariantCulture), "-o", data, "--", "sleep", seconds])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("perf did not start (apt-get install linux-perf).");
        var cpuBefore = gateway.CpuTime;
        var load = await H2Load.RunAsync(target, frame, settings.Connections, settings.Streams, settings.Measure, workDirectory);
        var cpu = (gateway.CpuTime - cpuBefore).TotalMicroseconds / Math.Max(1, load.Requests);
        await perf.WaitForExitAsync();
        load.RequireAllSucceeded(scenario);

        // READ: inclusive and own shares per symbol, shares per library; then the stage table.
        var children = Path.Combine(workDirectory, "children.txt");
        var libraries = Path.Combine(workDirectory, "dso.txt");
        await RunAsync("perf", ["report", "-i", data, "--children", "--sort", "symbol", "--stdio", "-g", "none"], children);
        await RunAsync("perf", ["report", "-i", data, "--no-children", "--sort", "dso", "--stdio", "-g", "none"], libraries);
        var table = Path.Combine(output, $"profile-{scenario}.md");
        await RunAsync("python3", [Path.Combine(repositoryRoot, "tools", "bench", "profile", "stages.py"), children, cpu.ToString("0.0", CultureInfo.InvariantCulture), libraries], table);
        var markdown = $"**Profile of `{scenario}`** ({load.RequestsPerSecond:0} req/s under perf, gateway {cpu:0.0} µs CPU per call; perf at 999 Hz, W^X off for symbols):\n\n" + await File.ReadAllTextAsync(table);
        await File.WriteAllTextAsync(table, markdown);
        return markdown;
    }

    private static async Task RunAsync(string program, IEnumerable<string> arguments, string outputFile)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var text = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await error}");
        }

        await File.WriteAllTextAsync(outputFile, await text);
    }
}
