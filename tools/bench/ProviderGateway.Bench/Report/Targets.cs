using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ProviderGateway.Bench.Report;

/// <summary>
/// The hot path's targets and recorded levels (<c>tools/bench/targets.json</c>): each figure of a run is checked against
/// both. A target is met when the figure reaches it; a full run fails when a figure is more than the tolerance worse
/// than its recorded level (what main last achieved), so that no change slips the hot path back unnoticed.
/// </summary>
public sealed class Targets
{
    private readonly List<(string Name, double Value, Figure Figure, double? Floor, string? FloorLabel)> _seen = [];

    private Targets(double tolerance, IReadOnlyList<Figure> figures)
    {
        Tolerance = tolerance;
        Figures = figures;
    }

    /// <summary>How much worse than its recorded level a figure may be (0.10: 10%).</summary>
    public double Tolerance { get; }

    /// <summary>The figures, as recorded.</summary>
    public IReadOnlyList<Figure> Figures { get; }

    /// <summary>Reads <c>tools/bench/targets.json</c>.</summary>
    public static Targets Load(string repositoryRoot)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(repositoryRoot, "tools", "bench", "targets.json")));
        var figures = json.RootElement.GetProperty("figures").EnumerateArray().Select(f => new Figure(
            f.GetProperty("name").GetString()!,
            f.GetProperty("kind").GetString()!,
            f.TryGetProperty("scenario", out var s) ? s.GetString() : null,
            f.TryGetProperty("over", out var o) ? o.GetString() : null,
            f.TryGetProperty("floor", out var floor) ? floor.GetString() : null,
            f.GetProperty("target").GetDouble(),
            f.GetProperty("recorded").GetDouble())).ToList();
        return new Targets(json.RootElement.GetProperty("tolerance").GetDouble(), figures);
    }

    /// <summary>Takes the hop's figures: ratios within rounds, the gateways' peak RSS, the forward's CPU per call.</summary>
    public void Hop(BenchReport hop)
    {
        foreach (var figure in Figures)
        {
            switch (figure.Kind)
            {
                case "ratio" when hop.Has(figure.Scenario!) && hop.Has(figure.Over!):
                    var floorRatio = figure.Floor is { } bare && hop.Has(bare) ? hop.Ratio(bare, figure.Over!) : (double?)null;
                    _seen.Add((figure.Name, hop.Ratio(figure.Scenario!, figure.Over!), figure, floorRatio, $"`{figure.Floor}`"));
                    break;
                case "rss":
                    _seen.Add((figure.Name, hop.PeakRssMegabytes("gateway"), figure, null, null));
                    break;
            }
        }

        ForwardCpu = hop.Has("gateway-forward") ? hop.MedianCpu("gateway-forward", "gateway") : null;
    }

    /// <summary>The gateway's CPU per uncached forward, in µs, once the hop ran.</summary>
    public double? ForwardCpu { get; private set; }

    /// <summary>Takes the overview's figures (its CPU against the forward's when the hop ran too).</summary>
    public void Overview(OverviewResult overview)
    {
        foreach (var figure in Figures)
        {
            switch (figure.Kind)
            {
                case "overview-p50-over-floor":
                    _seen.Add((
                        figure.Name,
                        overview.AloneP50Milliseconds - overview.ProviderP50Milliseconds,
                        figure,
                        overview.DirectFanOutP50Milliseconds - overview.ProviderP50Milliseconds,
                        "the 5 providers asked directly at once"));
                    break;
                case "overview-cpu-over-forward" when ForwardCpu is { } forward:
                    _seen.Add((figure.Name, Statistics.Median(overview.Rounds.Select(r => r.GatewayCpuMicrosecondsPerRequest)) / forward, figure, null, null));
                    break;
            }
        }
    }

    /// <summary>The figures more than the tolerance worse than their recorded level.</summary>
    public IReadOnlyList<string> Regressions() =>
        [.. _seen.Where(s => s.Figure.IsRegression(s.Value, Tolerance))
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name}: {s.Value:0.00}, more than {Tolerance:P0} worse than the recorded {s.Figure.Recorded:0.00}"))];

    /// <summary>A Markdown table of every figure seen: value, target, recorded level, verdict (regressions only when <paramref name="checkRegressions"/>).</summary>
    public string ToMarkdown(bool checkRegressions)
    {
        if (_seen.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        text.AppendLine("**Targets** (`tools/bench/targets.json`; a full run fails on a figure more than " + Tolerance.ToString("P0", CultureInfo.InvariantCulture) + " worse than recorded"
            + (checkRegressions ? "" : "; not checked in quick mode, whose runs are too short to compare") + "):");
        text.AppendLine();
        text.AppendLine("| figure | this run | target | recorded | | the floor: the same with no safeguard |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, value, figure, floor, floorLabel) in _seen)
        {
            var verdict = figure.IsMet(value) ? "target met" : checkRegressions && figure.IsRegression(value, Tolerance) ? "**regression**" : "not met";
            var floorText = floor is { } f ? string.Create(CultureInfo.InvariantCulture, $"{f:0.00} ({floorLabel})") : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value:0.00} | {figure.Target:0.00} | {figure.Recorded:0.00} | {verdict} | {floorText} |");
        }

        return text.ToString();
    }

    /// <summary>One figure of targets.json.</summary>
    /// <param name="Name">What it is.</param>
    /// <param name="Kind">ratio (higher is better); rss, overview-p50-over-floor, overview-cpu-over-forward (lower is better).</param>
    /// <param name="Scenario">For a ratio: the hop scenario measured.</param>
    /// <param name="Over">For a ratio: the hop scenario it is divided by, within each round.</param>
    /// <param name="Floor">For a ratio: the bare scenario doing the same with no safeguard (tools/bench/ProviderGateway.Bench.Bare), reported beside it.</param>
    /// <param name="Target">What the issue asks.</param>
    /// <param name="Recorded">What main last achieved.</param>
    public sealed record Figure(string Name, string Kind, string? Scenario, string? Over, string? Floor, double Target, double Recorded)
    {
        private bool HigherIsBetter => Kind == "ratio";

        /// <summary>Whether <paramref name="value"/> reaches the target.</summary>
        public bool IsMet(double value) => HigherIsBetter ? value >= Target : value <= Target;

        /// <summary>Whether <paramref name="value"/> is more than <paramref name="tolerance"/> worse than recorded.</summary>
        public bool IsRegression(double value, double tolerance) =>
            HigherIsBetter ? value < Recorded * (1 - tolerance) : value > Recorded * (1 + tolerance);
    }
}
