using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Bench.Report;

/// <summary>
/// The benchmark's report: per scenario, medians over rounds, and ratios to the baseline taken within
/// each round (the machine is shared and noisy; a ratio inside one round is what holds). Markdown for
/// people, JSON with every run for tools.
/// </summary>
public sealed class BenchReport(BenchSettings settings, string baseline, IReadOnlyList<Scenario> scenarios, IReadOnlyList<RunResult> runs, IReadOnlyDictionary<string, int> responseBytes)
{
    /// <summary>Writes report.md and report.json into <paramref name="directory"/>; returns the Markdown.</summary>
    public async Task<string> WriteAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var markdown = ToMarkdown();
        await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), markdown);
        await using var json = File.Create(Path.Combine(directory, "report.json"));
        await JsonSerializer.SerializeAsync(json, new
        {
            settings.Mode,
            WarmUpSeconds = settings.WarmUp.TotalSeconds,
            MeasureSeconds = settings.Measure.TotalSeconds,
            settings.Rounds,
            settings.Connections,
            settings.Streams,
            Baseline = baseline,
            Machine = new { Environment.ProcessorCount, Os = Environment.OSVersion.ToString() },
            Scenarios = scenarios.Select(s => new { s.Name, s.Description, s.FullMethod, ResponseBytes = responseBytes[s.Name] }),
            Runs = runs.Select(r => new
            {
                r.Round,
                r.Scenario,
                r.Load.Requests,
                r.Load.Succeeded,
                r.Load.RequestsPerSecond,
                P50Microseconds = r.Load.P50.TotalMicroseconds,
                P99Microseconds = r.Load.P99.TotalMicroseconds,
                r.CpuMicrosecondsPerRequest,
                r.PeakRssBytes,
            }),
        }, new JsonSerializerOptions { WriteIndented = true });
        return markdown;
    }

    /// <summary>The median ratio of a scenario's throughput to the baseline's, over rounds.</summary>
    public double RatioToBaseline(string scenario) => Ratio(scenario, baseline);

    /// <summary>The median ratio of <paramref name="scenario"/>'s throughput to <paramref name="over"/>'s, each taken within a round.</summary>
    public double Ratio(string scenario, string over) => Statistics.Median(runs
        .Where(r => r.Scenario == scenario)
        .Select(r => r.Load.RequestsPerSecond / runs.Single(b => b.Round == r.Round && b.Scenario == over).Load.RequestsPerSecond));

    /// <summary>Whether the run measured <paramref name="scenario"/>.</summary>
    public bool Has(string scenario) => runs.Any(r => r.Scenario == scenario);

    /// <summary>The median CPU per request of <paramref name="process"/> in <paramref name="scenario"/>, µs.</summary>
    public double MedianCpu(string scenario, string process) =>
        Statistics.Median(runs.Where(r => r.Scenario == scenario).Select(r => r.CpuMicrosecondsPerRequest[process]));

    /// <summary>The highest peak RSS of any process named <paramref name="process"/> over every scenario, MB.</summary>
    public double PeakRssMegabytes(string process) =>
        runs.SelectMany(r => r.PeakRssBytes).Where(p => p.Key == process).Select(p => p.Value / 1024.0 / 1024.0).DefaultIfEmpty().Max();

    private string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Mode {settings.Mode}: h2load {settings.Connections} connections x {settings.Streams} streams, {settings.WarmUp.TotalSeconds:0} s warm-up per configuration, {settings.Rounds} interleaved round(s) of {settings.Measure.TotalSeconds:0} s; medians over rounds; ratios to `{baseline}` taken within each round. {Environment.ProcessorCount} CPUs shared by load generator and servers.");
        text.AppendLine();
        text.AppendLine("| scenario | req/s | ratio to direct | p50 / p99 | CPU µs per request | peak RSS | response bytes |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var scenario in scenarios)
        {
            var mine = runs.Where(r => r.Scenario == scenario.Name).ToList();
            var cpu = string.Join(", ", mine[0].CpuMicrosecondsPerRequest.Keys.Select(p => $"{p} {Statistics.Median(mine.Select(r => r.CpuMicrosecondsPerRequest[p])):0.0}"));
            var rss = string.Join(", ", mine[^1].PeakRssBytes.Select(p => $"{p.Key} {p.Value / 1024.0 / 1024.0:0} MB"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {scenario.Name} | {Statistics.Median(mine.Select(r => r.Load.RequestsPerSecond)):0} | {RatioToBaseline(scenario.Name):0.00} | {Statistics.Median(mine.Select(r => r.Load.P50.TotalMilliseconds)):0.00} / {Statistics.Median(mine.Select(r => r.Load.P99.TotalMilliseconds)):0.00} ms | {cpu} | {rss} | {responseBytes[scenario.Name]} |");
        }

        text.AppendLine();
        foreach (var scenario in scenarios)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- `{scenario.Name}`: {scenario.Description}");
        }

        return text.ToString();
    }
}
