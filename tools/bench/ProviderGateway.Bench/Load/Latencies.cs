using System.Diagnostics;

namespace ProviderGateway.Bench.Load;

/// <summary>Median and 99th percentile of a set of latencies, in milliseconds (JSON-friendly).</summary>
/// <param name="Count">How many latencies.</param>
/// <param name="P50Milliseconds">Median.</param>
/// <param name="P99Milliseconds">99th percentile.</param>
public sealed record Latencies(long Count, double P50Milliseconds, double P99Milliseconds)
{
    /// <summary>Summarises <see cref="Stopwatch"/> timestamp differences.</summary>
    public static Latencies FromTimestamps(IEnumerable<long> elapsedTimestamps)
    {
        var sorted = elapsedTimestamps.Order().ToList();
        double Percentile(double quantile) => sorted.Count == 0
            ? 0
            : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(quantile * sorted.Count))] * 1000.0 / Stopwatch.Frequency;
        return new Latencies(sorted.Count, Percentile(0.50), Percentile(0.99));
    }
}
