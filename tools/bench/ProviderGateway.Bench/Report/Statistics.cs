namespace ProviderGateway.Bench.Report;

/// <summary>The statistics the reports take over rounds.</summary>
public static class Statistics
{
    /// <summary>The median of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
