namespace ProviderGateway.Bench;

/// <summary>How long and how hard the benchmark runs.</summary>
/// <param name="Mode">quick (a smoke test, under a minute) or full.</param>
/// <param name="WarmUp">Saturating load given to each configuration before any measurement (tiered JIT, PGO).</param>
/// <param name="Measure">Length of each measured run.</param>
/// <param name="Rounds">Interleaved rounds: every configuration once per round, ratios taken within a round.</param>
/// <param name="Connections">h2load connections.</param>
/// <param name="Streams">h2load concurrent streams per connection.</param>
public sealed record BenchSettings(string Mode, TimeSpan WarmUp, TimeSpan Measure, int Rounds, int Connections, int Streams)
{
    /// <summary>A smoke test CI runs (about a minute for every scenario): everything starts, answers and is measured once.</summary>
    public static BenchSettings Quick { get; } = new("quick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1, 16, 10);

    /// <summary>The full method (README "Performance"): 30 s warm-up, 5 interleaved rounds of 10 s, 16 x 10.</summary>
    public static BenchSettings Full { get; } = new("full", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), 5, 16, 10);
}
