using System.Text;
using Grpc.Core;

namespace ProviderGateway.Chaos.Rules;

/// <summary>The run's report in markdown: the rules with counts, each violation's examples, the timeline, the calls.</summary>
public static class ChaosReport
{
    /// <summary>Writes the report.</summary>
    public static string Markdown(ChaosResult result)
    {
        var e = result.Evidence;
        var o = e.Options;
        var report = new StringBuilder();
        report.AppendLine($"# Chaos run ({o.Form} form)");
        report.AppendLine();
        report.AppendLine($"{o.Workers} desk workers alternating between gateways A and B, deadline {o.DeskDeadline.TotalSeconds:F0} s sent as grpc-timeout, "
            + $"desk waiting {o.DeskWait.TotalSeconds:F0} s, slack {o.Slack.TotalMilliseconds:F0} ms; {e.Calls.Count} calls; "
            + $"{result.Rules.Count(r => !r.Passed)} of {result.Rules.Count} rules violated.");
        report.AppendLine();
        report.AppendLine("| # | Rule | Checked over | Violations | Result |");
        report.AppendLine("|---|------|--------------|-----------:|--------|");
        for (var i = 0; i < result.Rules.Count; i++)
        {
            var r = result.Rules[i];
            report.AppendLine($"| {i + 1} | {Cell(r.Title)} (`{r.Id}`) | {Cell(r.Checked)} | {r.Violations} | {(r.Passed ? "pass" : "**FAIL**")} |");
        }

        report.AppendLine();
        foreach (var r in result.Rules)
        {
            report.AppendLine($"## `{r.Id}`: {r.Title}: {(r.Passed ? "pass" : $"{r.Violations} violations")}");
            report.AppendLine();
            report.AppendLine(r.Note);
            report.AppendLine();
            foreach (var example in r.Examples)
            {
                report.AppendLine($"- {example}");
            }

            if (r.Violations > r.Examples.Count)
            {
                report.AppendLine($"- … and {r.Violations - r.Examples.Count} more");
            }

            if (r.Examples.Count > 0)
            {
                report.AppendLine();
            }
        }

        report.AppendLine("## Timeline");
        report.AppendLine();
        foreach (var t in e.Timeline)
        {
            report.AppendLine($"- {t.At.TotalSeconds,7:F2} s: {t.What}");
        }

        report.AppendLine();
        report.AppendLine("## Calls by method and status (desk-side statuses marked *)");
        report.AppendLine();
        var codes = e.Calls.Select(c => Code(c.Code, c.FromGateway)).Distinct().Order().ToList();
        report.AppendLine($"| Method | {string.Join(" | ", codes)} | p50 ms | p99 ms | max ms |");
        report.AppendLine($"|---|{string.Join("|", codes.Select(_ => "---:"))}|---:|---:|---:|");
        foreach (var method in e.Calls.GroupBy(c => c.Method).OrderBy(g => g.Key))
        {
            var elapsed = method.Select(c => c.Elapsed.TotalMilliseconds).Order().ToList();
            report.AppendLine($"| {method.Key} | {string.Join(" | ", codes.Select(code => method.Count(c => Code(c.Code, c.FromGateway) == code)))} | "
                + $"{Percentile(elapsed, 0.5):F0} | {Percentile(elapsed, 0.99):F0} | {elapsed[^1]:F0} |");
        }

        report.AppendLine();
        report.AppendLine("## Right after the restart");
        report.AppendLine();
        var (_, restart) = e.KilledGatewayDown;
        report.AppendLine($"Calls sent in the {ColdWindow.TotalSeconds:F0} s after gateway {e.KilledGateway} served again ({restart.TotalSeconds:F2} s), by gateway:");
        report.AppendLine();
        report.AppendLine("| Gateway | calls | p50 ms | p99 ms | max ms | slowest |");
        report.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var gateway in e.Calls.Where(c => c.Start >= restart && c.Start < restart + ColdWindow).GroupBy(c => c.Gateway).OrderBy(g => g.Key))
        {
            var elapsed = gateway.Select(c => c.Elapsed.TotalMilliseconds).Order().ToList();
            var slowest = gateway.MaxBy(c => c.Elapsed)!;
            report.AppendLine($"| {gateway.Key} | {elapsed.Count} | {Percentile(elapsed, 0.5):F0} | {Percentile(elapsed, 0.99):F0} | {elapsed[^1]:F0} | {Cell(slowest.ToString())} |");
        }

        report.AppendLine();
        report.AppendLine($"The desk's connections to gateway {e.KilledGateway} after its restart (began, TCP connected, the gateway's first bytes):");
        report.AppendLine();
        foreach (var c in e.Connections.Where(c => c.Gateway == e.KilledGateway && c.Began >= restart - TimeSpan.FromSeconds(2) && c.Connected is not null).Take(12))
        {
            report.AppendLine($"- {c.Began.TotalSeconds:F3} s, {c.Connected?.TotalSeconds.ToString("F3") ?? "-"} s, {c.FirstByte?.TotalSeconds.ToString("F3") ?? "-"} s");
        }

        report.AppendLine();
        report.AppendLine("## Sources by provider (code / freshness)");
        report.AppendLine();
        foreach (var provider in e.Calls.SelectMany(c => c.Sources).GroupBy(s => s.ProviderId).OrderBy(g => g.Key))
        {
            var kinds = provider.GroupBy(s => $"{(StatusCode)s.Code}{(s.Reason is null ? "" : "/" + s.Reason)} {s.Freshness.ToString().ToUpperInvariant()}")
                .OrderByDescending(g => g.Count())
                .Select(g => $"{g.Count()} {g.Key}");
            report.AppendLine($"- {provider.Key}: {string.Join(", ", kinds)}");
        }

        return report.ToString();
    }

    // How long after the killed gateway's restart its calls are reported apart (a cold process).
    private static readonly TimeSpan ColdWindow = TimeSpan.FromSeconds(5);

    private static string Code(StatusCode code, bool fromGateway) => fromGateway ? code.ToString() : code + "*";

    private static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
